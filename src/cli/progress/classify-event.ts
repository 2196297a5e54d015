import type { JobEvent } from '../api/job-event.js'

/**
 * What one event means for the display, from the seed's message style: `[*]` a note while
 * running (or, as a success, a closing fact), `[+]` a stage done (with its elapsed seconds in
 * parentheses), `[-]` a failure, and indented text the raw output of a tool or script.
 */
export type EventMeaning =
  | { kind: 'note'; text: string }
  | { kind: 'output'; text: string }
  | { kind: 'done'; text: string; seconds: number | undefined }
  | { kind: 'fact'; text: string }
  | { kind: 'failed'; text: string }

const elapsed = /\s*\((\d+(?:\.\d+)?)s\)$/

export function classifyEvent(event: Pick<JobEvent, 'status' | 'message'>): EventMeaning {
  const { status, message } = event
  if (status === 'error') return { kind: 'failed', text: stripMarker(message, '[-]') }
  if (message.startsWith('[+]')) {
    const text = stripMarker(message, '[+]')
    const match = elapsed.exec(text)
    if (match === null) return { kind: 'done', text, seconds: undefined }
    return { kind: 'done', text: text.slice(0, match.index), seconds: Number(match[1]) }
  }
  if (message.startsWith('[*]')) {
    const text = stripMarker(message, '[*]')
    return status === 'success' ? { kind: 'fact', text } : { kind: 'note', text }
  }
  if (status === 'success') return { kind: 'fact', text: message.trim() }
  // tool and script lines come indented by two spaces; keep any deeper indentation
  return { kind: 'output', text: message.replace(/^ {2}/, '').trimEnd() }
}

function stripMarker(message: string, marker: string): string {
  return message.startsWith(marker) ? message.slice(marker.length).trim() : message.trim()
}
