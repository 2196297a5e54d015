import { SseFieldError } from './errors.js'

/** One server-sent event. */
export interface SseEvent {
  /** Sent as `id:` so a client can resume with `Last-Event-ID`; no CR, LF or NUL. */
  id?: string | number | undefined
  /** Sent as `event:`; absent means the default `message` event. No CR or LF. */
  event?: string | undefined
  /** Any JSON-serialisable value; always sent as one `data:` line of `JSON.stringify` output. */
  data: unknown
}

/** The last frame of every stream; the seed's clients stop reading when they see it. */
export const SSE_CLOSE = 'event: close\ndata: {}\n\n'

const lineBreak = /[\r\n]/
const lineBreakOrNul = /[\r\n\0]/

/**
 * Frames one event. `data` goes through `JSON.stringify`, which escapes every line break, so a
 * payload can never end the frame early or inject fields. Throws {@link SseFieldError} for an
 * `id` or `event` with a line break (or an `id` with NUL, which browsers ignore) and for data
 * that has no JSON form (`undefined`, a function).
 *
 * @example
 * formatSseEvent({ id: 3, event: 'stage', data: { step: 'x' } })
 * // 'id: 3\nevent: stage\ndata: {"step":"x"}\n\n'
 */
export function formatSseEvent(event: SseEvent): string {
  let frame = ''
  if (event.id !== undefined) {
    const id = String(event.id)
    if (lineBreakOrNul.test(id)) {
      throw new SseFieldError(`SSE id ${JSON.stringify(id)} holds a line break or NUL`)
    }
    frame += `id: ${id}\n`
  }
  if (event.event !== undefined) {
    if (lineBreak.test(event.event) || event.event === '') {
      throw new SseFieldError(
        `SSE event name ${JSON.stringify(event.event)} is empty or multi-line`,
      )
    }
    frame += `event: ${event.event}\n`
  }
  const data: unknown = JSON.stringify(event.data)
  if (typeof data !== 'string') {
    throw new SseFieldError(`SSE data of type ${typeof event.data} has no JSON form`)
  }
  return `${frame}data: ${data}\n\n`
}

/**
 * Frames a comment line, which clients ignore; used as a heartbeat so proxies do not cut an
 * idle stream. Throws {@link SseFieldError} when `text` holds a line break.
 */
export function formatSseComment(text: string): string {
  if (lineBreak.test(text)) {
    throw new SseFieldError(`SSE comment ${JSON.stringify(text)} holds a line break`)
  }
  return `: ${text}\n\n`
}
