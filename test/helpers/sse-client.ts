import { createParser, type EventSourceMessage } from 'eventsource-parser'

export interface ReadEvent {
  id: string | undefined
  event: string | undefined
  data: unknown
}

export interface SseRead {
  status: number
  headers: Headers
  events: ReadEvent[]
  /** the seed's step events (everything but the close frame) */
  steps: {
    step: string
    status: string
    message: string
    vm_id?: number
    ip?: string
    job_id?: string
  }[]
  closed: boolean
  /** text body when the answer was not a stream (an error before the stream started) */
  text?: string
}

/**
 * POSTs (or GETs) and reads the whole SSE answer with a real SSE parser, the way a seed client
 * would: every `data:` line must be JSON, and the stream must end with `event: close`.
 */
export async function readSse(
  url: string,
  init: {
    method?: string
    body?: unknown
    headers?: Record<string, string>
    signal?: AbortSignal
  } = {},
): Promise<SseRead> {
  const headers: Record<string, string> = { ...init.headers }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal === undefined ? {} : { signal: init.signal }),
  })
  const result: SseRead = {
    status: response.status,
    headers: response.headers,
    events: [],
    steps: [],
    closed: false,
  }
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    result.text = await response.text()
    return result
  }
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const data = JSON.parse(message.data) as unknown
      result.events.push({ id: message.id, event: message.event, data })
      if (message.event === 'close') result.closed = true
      else result.steps.push(data as SseRead['steps'][number])
    },
  })
  // the stream ends after its close frame, so reading it whole loses nothing
  parser.feed(await response.text())
  return result
}
