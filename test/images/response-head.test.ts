import { describe, expect, it } from 'vitest'

import { bodyFraming, parseResponseHead } from '../../src/images/response-head.js'

const head = (...lines: string[]) => parseResponseHead(lines.join('\r\n'))

describe('parseResponseHead', () => {
  it('reads the status, the reason and the headers under lower-case names', () => {
    expect(head('HTTP/1.1 404 Not Found', 'Content-Type: text/plain', 'X-Thing:  a b ')).toEqual({
      statusCode: 404,
      statusText: 'Not Found',
      headers: { 'content-type': 'text/plain', 'x-thing': 'a b' },
    })
  })

  it('takes a status line without a reason phrase, and HTTP/1.0', () => {
    expect(head('HTTP/1.0 200')).toMatchObject({ statusCode: 200, statusText: '' })
  })

  it('joins repeated headers and continues folded lines', () => {
    const parsed = head('HTTP/1.1 200 OK', 'Via: a', 'Warning: 1', '  more', 'via: b')
    expect(parsed.headers).toEqual({ via: 'a, b', warning: '1 more' })
  })

  it('accepts lines ended by a bare LF', () => {
    expect(parseResponseHead('HTTP/1.1 204 No Content\nServer: x').headers).toEqual({ server: 'x' })
  })

  it.each([
    ['HTTP/2 200', 'not an HTTP/1.x status line'],
    ['ICY 200 OK', 'not an HTTP/1.x status line'],
    ['HTTP/1.1 20 OK', 'not an HTTP/1.x status line'],
  ])('refuses the status line %s', (line, problem) => {
    expect(() => parseResponseHead(line)).toThrow(problem)
  })

  it('refuses a header line without a name and colon, quoting it', () => {
    expect(() => head('HTTP/1.1 200 OK', 'no colon here')).toThrow(
      'malformed header line "no colon here"',
    )
  })
})

describe('bodyFraming', () => {
  it.each([
    [['Content-Length: 42'], { kind: 'length', bytes: 42 }],
    [['Content-Length: 0'], { kind: 'length', bytes: 0 }],
    [['Content-Length: 7', 'Content-Length: 7'], { kind: 'length', bytes: 7 }],
    [['Transfer-Encoding: chunked'], { kind: 'chunked' }],
    [['Transfer-Encoding: gzip, Chunked'], { kind: 'chunked' }],
    [['Transfer-Encoding: chunked', 'Content-Length: 5'], { kind: 'chunked' }],
    [['Transfer-Encoding: gzip'], { kind: 'close' }],
    [[], { kind: 'close' }],
  ])('frames a body with %j as %j', (headers, framing) => {
    expect(bodyFraming(head('HTTP/1.1 200 OK', ...headers))).toEqual(framing)
  })

  it.each([
    ['Content-Length: 5', 'Content-Length: 6'],
    ['Content-Length: -1'],
    ['Content-Length: 1e3'],
  ])('refuses %j', (...headers) => {
    expect(() => bodyFraming(head('HTTP/1.1 200 OK', ...headers))).toThrow('invalid Content-Length')
  })
})
