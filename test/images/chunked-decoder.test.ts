import { describe, expect, it } from 'vitest'

import { createChunkedDecoder } from '../../src/images/chunked-decoder.js'

/** Decodes `wire` fed in pieces of `step` bytes; the data and whether the body ended. */
function decode(wire: string | Buffer, step = Infinity): { data: string; ended: boolean } {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire
  const decoder = createChunkedDecoder()
  const out: Buffer[] = []
  for (let at = 0; at < bytes.length; at += Math.min(step, bytes.length)) {
    decoder.push(bytes.subarray(at, at + step), (data) => out.push(Buffer.from(data)))
  }
  return { data: Buffer.concat(out).toString('latin1'), ended: decoder.ended }
}

const wire = '5\r\nhello\r\n1;name=value\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n'

describe('createChunkedDecoder', () => {
  it('gives the data of every chunk and ends after the trailer section', () => {
    expect(decode(wire)).toEqual({ data: 'hello 0123456789', ended: true })
  })

  it('gives the same data however the bytes are split', () => {
    for (const step of [1, 2, 3, 7, 16]) {
      expect(decode(wire, step)).toEqual({ data: 'hello 0123456789', ended: true })
    }
  })

  it('accepts bare LF line ends', () => {
    expect(decode('3\nabc\n0\n\n')).toEqual({ data: 'abc', ended: true })
  })

  it('is not ended while the last chunk or the trailer section is missing', () => {
    expect(decode('3\r\nabc\r\n')).toEqual({ data: 'abc', ended: false })
    expect(decode('3\r\nabc\r\n0\r\n')).toEqual({ data: 'abc', ended: false })
  })

  it('ignores bytes after the end of the body', () => {
    expect(decode('1\r\na\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n')).toEqual({ data: 'a', ended: true })
  })

  it('passes binary data through untouched', () => {
    const data = Buffer.from([0, 13, 10, 255, 48, 13, 10])
    const body = Buffer.concat([Buffer.from('7\r\n'), data, Buffer.from('\r\n0\r\n\r\n')])
    const decoder = createChunkedDecoder()
    const out: Buffer[] = []
    decoder.push(body, (piece) => out.push(Buffer.from(piece)))
    expect(Buffer.concat(out).equals(data)).toBe(true)
  })

  it.each([
    ['zz\r\n', 'bad size line "zz"'],
    ['-1\r\n', 'bad size line "-1"'],
    ['3\r\nabcX', 'no line end after a chunk'],
    [`${'1'.repeat(5000)}\r\n`, 'overlong line'],
  ])('refuses %j', (body, problem) => {
    expect(() => decode(body)).toThrow(problem)
  })
})
