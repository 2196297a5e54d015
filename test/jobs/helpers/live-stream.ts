import { createParser, type EventSourceMessage } from 'eventsource-parser'

/** One step event as the wire carries it. */
export interface WireStep {
  step: string
  status: string
  message: string
  vm_id?: number
  ip?: string
  job_id?: string
}

export interface StreamEvent {
  id: string | undefined
  event: string | undefined
  data: WireStep
}

/**
 * An SSE response read as it arrives, so a test can act in the middle of a job (cancel it,
 * drop the connection, try the VM) and then read on.
 */
export interface LiveStream {
  status: number
  headers: Headers
  /** every event so far, the close frame included */
  events: StreamEvent[]
  /** Resolves with the first event (already seen or still to come) that `match` accepts. */
  until(match: (event: StreamEvent) => boolean): Promise<StreamEvent>
  /** Resolves when the stream has ended (its close frame, or the connection closing). */
  ended: Promise<void>
  /** Drops the connection, as a browser tab closing. */
  drop(): void
  /** true once the close frame arrived */
  closed(): boolean
  /** the body, when the answer was not a stream */
  text?: string
}

export async function openStream(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<LiveStream> {
  const controller = new AbortController()
  const headers: Record<string, string> = { ...init.headers }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    signal: controller.signal,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const events: StreamEvent[] = []
  const waiters: {
    match: (event: StreamEvent) => boolean
    resolve: (event: StreamEvent) => void
  }[] = []
  let finished = false
  let closeSeen = false
  const failWaiters: ((error: Error) => void)[] = []
  const stream: LiveStream = {
    status: response.status,
    headers: response.headers,
    events,
    until(match) {
      const seen = events.find(match)
      if (seen !== undefined) return Promise.resolve(seen)
      if (finished) return Promise.reject(new Error('stream ended without the awaited event'))
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve })
        failWaiters.push(reject)
      })
    },
    ended: Promise.resolve(),
    drop: () => controller.abort(),
    closed: () => closeSeen,
  }
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    stream.text = await response.text()
    return stream
  }
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const data = JSON.parse(message.data) as WireStep
      const event = { id: message.id, event: message.event, data }
      events.push(event)
      if (message.event === 'close') closeSeen = true
      for (const waiter of [...waiters]) {
        if (!waiter.match(event)) continue
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(event)
      }
    },
  })
  const body: ReadableStream<Uint8Array> | null = response.body
  stream.ended = (async () => {
    if (body === null) return
    const decoder = new TextDecoder()
    try {
      const reader = body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error
    } finally {
      finished = true
      for (const fail of failWaiters) fail(new Error('stream ended without the awaited event'))
    }
  })()
  return stream
}

/** The step events of a stream (without the close frame). */
export function stepsOf(stream: LiveStream): WireStep[] {
  return stream.events.filter((event) => event.event !== 'close').map((event) => event.data)
}
