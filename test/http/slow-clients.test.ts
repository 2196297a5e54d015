import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** A raw TCP client: what it was sent so far, and a promise of the connection's end. */
interface RawClient {
  socket: Socket
  received: () => string
  closed: Promise<void>
  /** Resolves once what was received matches `pattern`. */
  until(pattern: RegExp): Promise<string>
}

async function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port) })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let text = ''
  const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = []
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(text)) waiter.resolve(text)
      else waiters.push(waiter)
    }
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => undefined)
  return {
    socket,
    received: () => text,
    closed,
    until: (pattern) =>
      pattern.test(text)
        ? Promise.resolve(text)
        : new Promise((resolve) => waiters.push({ pattern, resolve })),
  }
}

describe('a client that sends its request slowly', () => {
  it('is cut off with 408 when the body does not arrive in HTTP_REQUEST_TIMEOUT', async () => {
    t = await buildTestApp({ limits: { requestTimeoutMs: 300, headersTimeoutMs: 300 } })
    const client = await rawClient(t.url)
    client.socket.write(
      'POST /api/vm/101/set/cpu HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"cpu":',
    )
    await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect((await fetch(`${t.url}/api/vm/101/status`).then((r) => r.text())).trim()).toBe('stopped')
  })

  it('is cut off with 408 when the head does not arrive in HTTP_HEADERS_TIMEOUT', async () => {
    t = await buildTestApp({ limits: { requestTimeoutMs: 1000, headersTimeoutMs: 200 } })
    const client = await rawClient(t.url)
    client.socket.write('GET /api/vm/list HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
    await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /)
  })
})

describe('an SSE stream', () => {
  it('outlives the request timeout: it is answered, not received', async () => {
    t = await buildTestApp({
      limits: { requestTimeoutMs: 200, headersTimeoutMs: 200 },
      app: { heartbeatMs: 150 },
    })
    // the install runs (waiting for its VM's SSH) for as long as the test reads
    t.simGuests.faults.holdBoots()
    const client = await rawClient(t.url)
    const body = '{"os":"debian","version":"12","passwd":"pw"}'
    client.socket.write(
      'POST /api/vm/install HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    )
    // four heartbeats of 150 ms of silence each: well past the 200 ms request timeout
    await client.until(/(: ping\n\n[^]*){4}/)
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /)
    expect(client.received()).not.toMatch(/HTTP\/1\.1 408/)
    expect(client.socket.destroyed).toBe(false)
    client.socket.destroy()
  })
})

describe('more connections than MAX_CONNECTIONS', () => {
  it('are answered 503 and closed; those within the cap are served', async () => {
    t = await buildTestApp({ limits: { maxConnections: 8 } })
    const held: RawClient[] = []
    for (let index = 0; index < 8; index += 1) {
      const client = await rawClient(t.url)
      client.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
      await client.until(/\r\n\r\nok$/)
      held.push(client)
    }
    const over = await rawClient(t.url)
    await over.closed
    expect(over.received()).toMatch(/^HTTP\/1\.1 503 /)
    expect(over.received()).toContain('too many connections: 8 are open (MAX_CONNECTIONS)')
    // one leaves, and the next one is served
    const leaving = held.pop()
    leaving?.socket.destroy()
    await leaving?.closed
    let served = ''
    while (!served.includes('\r\n\r\nok')) {
      const next = await rawClient(t.url)
      next.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
      await next.closed
      served = next.received()
    }
    expect(served).toMatch(/^HTTP\/1\.1 200 /)
    for (const client of held) client.socket.destroy()
  })
})
