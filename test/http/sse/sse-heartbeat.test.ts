import { once } from 'node:events'
import { get } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { openSseStream } from '../../../src/http/sse/index.js'
import type { SseTimers } from '../../../src/http/sse/index.js'
import { startSseTestServer } from './sse-test-server.js'
import type { SseTestServer } from './sse-test-server.js'

// node:http (unlike fetch) schedules nothing through the global timers, so faking them here
// moves only the heartbeat.
let server: SseTestServer
let clientResponse: IncomingMessage | undefined

beforeEach(async () => {
  server = await startSseTestServer()
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
})

afterEach(async () => {
  vi.useRealTimers()
  clientResponse?.destroy()
  await server.close()
})

/** Connects with node:http and collects the raw body text. */
async function connect(): Promise<{
  received: () => string
  waitFor: (text: string) => Promise<void>
}> {
  const request = get(server.url)
  const [response] = (await once(request, 'response')) as [IncomingMessage]
  clientResponse = response
  response.setEncoding('utf8')
  let text = ''
  const wakers: (() => void)[] = []
  response.on('data', (chunk: string) => {
    text += chunk
    for (const wake of wakers.splice(0)) wake()
  })
  return {
    received: () => text,
    waitFor: async (needle) => {
      while (!text.includes(needle)) await new Promise<void>((resolve) => wakers.push(resolve))
    },
  }
}

describe('SSE heartbeat', () => {
  it('sends a ping comment after each idle period', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response, { heartbeatMs: 15_000 })
    const client = await connecting

    vi.advanceTimersByTime(14_999)
    writer.send({ id: 1, data: 'marker' })
    await client.waitFor('"marker"')
    expect(client.received()).toBe('id: 1\ndata: "marker"\n\n')

    vi.advanceTimersByTime(15_000)
    await client.waitFor(': ping')
    vi.advanceTimersByTime(15_000)
    writer.send({ id: 2, data: 'end' })
    await client.waitFor('"end"')
    expect(client.received()).toBe(
      'id: 1\ndata: "marker"\n\n: ping\n\n: ping\n\nid: 2\ndata: "end"\n\n',
    )
    writer.close()
  })

  it('counts the idle time from the last event, not from the open', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response, { heartbeatMs: 1_000 })
    const client = await connecting

    vi.advanceTimersByTime(600)
    writer.send({ id: 1, data: 1 })
    vi.advanceTimersByTime(600)
    writer.send({ id: 2, data: 2 })
    await client.waitFor('id: 2')
    expect(client.received()).not.toContain('ping')
    writer.close()
  })

  it('stops the heartbeat on close and on disconnect', async () => {
    const first = connect()
    const { response } = await server.nextResponse()
    const closedByUs = openSseStream(response, { heartbeatMs: 1_000 })
    await first
    expect(vi.getTimerCount()).toBe(1)
    closedByUs.close()
    expect(vi.getTimerCount()).toBe(0)

    const second = connect()
    const next = await server.nextResponse()
    const dropped = openSseStream(next.response, { heartbeatMs: 1_000 })
    await second
    const closing = once(next.response, 'close')
    clientResponse?.destroy()
    await closing
    expect(dropped.closed).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('can be turned off', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response, { heartbeatMs: 0 })
    await connecting
    expect(vi.getTimerCount()).toBe(0)
    writer.close()
  })

  it('uses injected timers when given', async () => {
    const scheduled: { callback: () => void; ms: number; cancelled: boolean }[] = []
    const timers: SseTimers = {
      schedule(callback, ms) {
        const entry = { callback, ms, cancelled: false }
        scheduled.push(entry)
        return () => {
          entry.cancelled = true
        }
      },
    }
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response, { heartbeatMs: 5_000, timers })
    const client = await connecting

    expect(scheduled.map((entry) => entry.ms)).toEqual([5_000])
    scheduled[0]?.callback()
    await client.waitFor(': ping\n\n')
    expect(scheduled.map((entry) => entry.cancelled)).toEqual([false, false])
    writer.close()
    expect(scheduled.map((entry) => entry.cancelled)).toEqual([false, true])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('refuses a negative heartbeat period', async () => {
    void connect().catch(() => undefined)
    const { response } = await server.nextResponse()
    expect(() => openSseStream(response, { heartbeatMs: -1 })).toThrow(RangeError)
    response.end()
  })
})
