import { once } from 'node:events'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSseStream } from '../../../src/http/sse/index.js'
import { SseReader, startSseTestServer } from './sse-test-server.js'
import type { SseTestServer } from './sse-test-server.js'

let server: SseTestServer
const clients: AbortController[] = []

beforeEach(async () => {
  server = await startSseTestServer()
})

afterEach(async () => {
  for (const client of clients.splice(0)) client.abort()
  await server.close()
})

async function connect(): Promise<{
  reader: SseReader
  headers: Headers
  client: AbortController
}> {
  const client = new AbortController()
  clients.push(client)
  const response = await fetch(server.url, { signal: client.signal })
  if (response.body === null) throw new Error('SSE response without a body')
  return { reader: new SseReader(response.body), headers: response.headers, client }
}

describe('openSseStream over a real node:http server', () => {
  it('writes the stream headers, plus extra ones, before any event', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response, { headers: { 'x-job-id': 'job-42' } })
    const { headers } = await connecting
    expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(headers.get('cache-control')).toBe('no-cache')
    expect(headers.get('connection')).toBe('keep-alive')
    expect(headers.get('x-accel-buffering')).toBe('no')
    expect(headers.get('x-job-id')).toBe('job-42')
    writer.close()
  })

  it('delivers each event before the next one is sent', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response)
    const { reader } = await connecting

    expect(writer.send({ id: 1, event: 'stage', data: { step: 'one' } })).toBe(true)
    const [first] = await reader.waitForEvents(1)
    expect(first).toEqual({ id: '1', event: 'stage', data: '{"step":"one"}' })

    writer.send({ id: 2, data: { step: 'two' } })
    const events = await reader.waitForEvents(2)
    expect(events[1]).toEqual({ id: '2', event: undefined, data: '{"step":"two"}' })
    writer.close()
  })

  it('round-trips awkward payloads and ends with the close frame', async () => {
    const payloads = [
      { message: 'quotes " and \\ backslashes' },
      { message: 'multi\nline\r\nmessage\n\ndata: forged' },
      { message: 'ünïcödé 日本語 🚀👩‍💻', vm_id: 101, ip: '127.0.0.101' },
    ]
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response)
    const { reader } = await connecting

    payloads.forEach((data, index) => writer.send({ id: index + 1, data }))
    writer.close()
    await reader.waitForEnd()

    expect(writer.closed).toBe(true)
    expect(reader.events.slice(0, 3).map((event): unknown => JSON.parse(event.data))).toEqual(
      payloads,
    )
    expect(reader.events.map((event) => event.id)).toEqual(['1', '2', '3', undefined])
    expect(reader.events.at(-1)).toEqual({ id: undefined, event: 'close', data: '{}' })
    expect(reader.text.endsWith('event: close\ndata: {}\n\n')).toBe(true)
  })

  it('stops writing without throwing once the client disconnects', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response)
    const { reader, client } = await connecting
    writer.send({ id: 1, data: 'before' })
    await reader.waitForEvents(1)

    const closing = once(response, 'close')
    client.abort()
    await closing

    expect(writer.closed).toBe(true)
    expect(writer.send({ id: 2, data: 'after' })).toBe(false)
    expect(() => {
      writer.close()
    }).not.toThrow()
    expect(reader.events.map((event) => event.data)).toEqual(['"before"'])
  })

  it('ends the response without the close frame when the signal aborts', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const controller = new AbortController()
    const writer = openSseStream(response, { signal: controller.signal })
    const { reader } = await connecting
    writer.send({ id: 1, data: 'one' })

    controller.abort()
    await reader.waitForEnd()

    expect(writer.closed).toBe(true)
    expect(writer.send({ id: 2, data: 'two' })).toBe(false)
    expect(reader.events.map((event) => event.event ?? 'message')).toEqual(['message'])
  })

  it('ends at once when the signal has already aborted', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response, { signal: AbortSignal.abort() })
    const { reader } = await connecting
    await reader.waitForEnd()
    expect(writer.closed).toBe(true)
    expect(writer.send({ data: 'late' })).toBe(false)
    expect(reader.text).toBe('')
  })

  it('refuses a bad event field even on an open stream, and keeps the stream usable', async () => {
    const connecting = connect()
    const { response } = await server.nextResponse()
    const writer = openSseStream(response)
    const { reader } = await connecting
    expect(() => writer.send({ id: '1\n', data: 'x' })).toThrow(/line break/)
    writer.send({ id: 2, data: 'ok' })
    writer.close()
    await reader.waitForEnd()
    expect(reader.events.map((event) => event.data)).toEqual(['"ok"', '{}'])
  })
})
