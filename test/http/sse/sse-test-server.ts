import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createParser } from 'eventsource-parser'
import type { EventSourceMessage } from 'eventsource-parser'

/** A live loopback server and the responses it has been handed, in arrival order. */
export interface SseTestServer {
  url: string
  /** Resolves with the next request's response, as the route handler would see it. */
  nextResponse(): Promise<{ request: IncomingMessage; response: ServerResponse }>
  close(): Promise<void>
}

/** Starts a `node:http` server on 127.0.0.1 whose handler leaves every response to the test. */
export async function startSseTestServer(): Promise<SseTestServer> {
  const waiting: ((pair: { request: IncomingMessage; response: ServerResponse }) => void)[] = []
  const arrived: { request: IncomingMessage; response: ServerResponse }[] = []
  const server = createServer((request, response) => {
    const pair = { request, response }
    const waiter = waiting.shift()
    if (waiter === undefined) arrived.push(pair)
    else waiter(pair)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/events`,
    nextResponse: () => {
      const pair = arrived.shift()
      if (pair !== undefined) return Promise.resolve(pair)
      return new Promise((resolve) => waiting.push(resolve))
    },
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Reads an SSE body with eventsource-parser, handing out events as they arrive. */
export class SseReader {
  readonly events: EventSourceMessage[] = []
  readonly comments: string[] = []
  text = ''
  ended = false
  readonly #wakers: (() => void)[] = []

  constructor(body: ReadableStream<Uint8Array>) {
    const parser = createParser({
      onEvent: (event) => {
        this.events.push(event)
        this.#wake()
      },
      onComment: (comment) => {
        this.comments.push(comment)
        this.#wake()
      },
    })
    void this.#pump(body, parser)
  }

  /** Resolves once at least `count` events have arrived (or the body ended first). */
  async waitForEvents(count: number): Promise<EventSourceMessage[]> {
    while (this.events.length < count && !this.ended) await this.#next()
    return this.events
  }

  /** Resolves once at least `count` comments have arrived (or the body ended first). */
  async waitForComments(count: number): Promise<string[]> {
    while (this.comments.length < count && !this.ended) await this.#next()
    return this.comments
  }

  /** Resolves when the response body ends. */
  async waitForEnd(): Promise<void> {
    while (!this.ended) await this.#next()
  }

  async #pump(
    body: ReadableStream<Uint8Array>,
    parser: ReturnType<typeof createParser>,
  ): Promise<void> {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of body) {
        const text = decoder.decode(chunk, { stream: true })
        this.text += text
        parser.feed(text)
      }
    } catch {
      // An aborted fetch rejects the body; for these tests that is just the end of the stream.
    } finally {
      this.ended = true
      this.#wake()
    }
  }

  #next(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve))
  }

  #wake(): void {
    for (const waker of this.#wakers.splice(0)) waker()
  }
}
