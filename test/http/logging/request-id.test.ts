import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'

const lines: Record<string, unknown>[] = []
let t: TestApp

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      }
      done()
    },
  })
  t = await buildTestApp({ app: { logger: pino({ level: 'info' }, sink) } })
})
afterAll(async () => {
  await t.close()
})

describe('request ids', () => {
  it('puts the request id on every log line of a request and answers it in X-Request-Id', async () => {
    const response = await fetch(`${t.url}/api/vm/999/status`, {
      headers: { 'x-request-id': 'trace-42' },
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('x-request-id')).toBe('trace-42')
    const mine = lines.filter((line) => line.reqId === 'trace-42')
    // incoming request, the 404's explanation, the response
    expect(mine.length).toBeGreaterThanOrEqual(3)
    expect(
      lines
        .filter((line) => 'req' in line || 'res' in line)
        .every((line) => typeof line.reqId === 'string'),
    ).toBe(true)
  })

  it('makes a fresh id when the caller sends none or an unsafe one', async () => {
    const plain = await fetch(`${t.url}/api/health`)
    const id = plain.headers.get('x-request-id') ?? ''
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const unsafe = await fetch(`${t.url}/api/health`, { headers: { 'x-request-id': 'a b\tc' } })
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(lines.some((line) => line.reqId === 'a b\tc')).toBe(false)
  })

  it('answers the id on event streams too', async () => {
    const stream = await readSse(`${t.url}/api/vm/101/start`, {
      headers: { 'x-request-id': 'stream-7' },
    })
    expect(stream.status).toBe(200)
    expect(stream.headers.get('x-request-id')).toBe('stream-7')
  })

  it('writes JSON lines without secrets', async () => {
    await fetch(`${t.url}/api/vm/list`, { headers: { authorization: 'Bearer very-secret' } })
    expect(JSON.stringify(lines)).not.toContain('very-secret')
  })
})
