import { describe, expect, it } from 'vitest'

import { createBodyFramer } from '../../src/images/body-framer.js'

function feed(framer: ReturnType<typeof createBodyFramer>, ...pieces: string[]): string {
  let out = ''
  for (const piece of pieces) {
    framer.push(Buffer.from(piece), (data) => (out += Buffer.from(data).toString()))
  }
  return out
}

describe('createBodyFramer', () => {
  it('takes exactly Content-Length bytes, then is complete and drops the rest', () => {
    const framer = createBodyFramer({ kind: 'length', bytes: 5 })
    expect(feed(framer, 'abc')).toBe('abc')
    expect(framer.complete).toBe(false)
    expect(feed(framer, 'defgh', 'ij')).toBe('de')
    expect(framer.complete).toBe(true)
  })

  it('is complete at once for an empty body', () => {
    expect(createBodyFramer({ kind: 'length', bytes: 0 }).complete).toBe(true)
  })

  it('passes everything of a body that runs until the close, and never completes it', () => {
    const framer = createBodyFramer({ kind: 'close' })
    expect(feed(framer, 'abc', '', 'def')).toBe('abcdef')
    expect(framer.complete).toBe(false)
  })

  it('decodes a chunked body', () => {
    const framer = createBodyFramer({ kind: 'chunked' })
    expect(feed(framer, '3\r\nabc\r', '\n0\r\n\r\n')).toBe('abc')
    expect(framer.complete).toBe(true)
  })
})
