import { createParser, type EventSourceMessage } from 'eventsource-parser'

/**
 * The server-sent events of a response body, as they arrive, parsed by eventsource-parser.
 * Ends when the body ends; throws when the connection breaks.
 */
export async function* readSseMessages(response: Response): AsyncGenerator<EventSourceMessage> {
  const body = response.body
  if (body === null) return
  const queue: EventSourceMessage[] = []
  const parser = createParser({ onEvent: (message) => queue.push(message) })
  const decoder = new TextDecoder()
  const reader = body.getReader()
  try {
    for (;;) {
      const result = await reader.read()
      if (result.done) break
      const chunk: unknown = result.value
      if (!(chunk instanceof Uint8Array)) continue
      parser.feed(decoder.decode(chunk, { stream: true }))
      while (queue.length > 0) {
        const next = queue.shift()
        if (next !== undefined) yield next
      }
    }
  } finally {
    reader.releaseLock()
    await body.cancel().catch(() => undefined)
  }
}
