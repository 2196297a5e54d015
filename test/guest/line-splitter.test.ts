import { describe, expect, it } from 'vitest'

import { LineSplitter, maxLineLength } from '../../src/guest/line-splitter.js'

describe('LineSplitter', () => {
  it('hands out each line once its end arrived, and the unfinished rest on flush', () => {
    const splitter = new LineSplitter()
    expect(splitter.push(Buffer.from('one\ntw'))).toEqual(['one'])
    expect(splitter.push(Buffer.from('o\r\nthree'))).toEqual(['two'])
    expect(splitter.flush()).toEqual(['three'])
    expect(splitter.flush()).toEqual([])
  })

  it('keeps a character whole when its bytes arrive in two chunks', () => {
    const bytes = Buffer.from('Zeitzone: Europe/Zürich\n')
    const cut = bytes.indexOf(0xc3) + 1
    const splitter = new LineSplitter()
    expect(splitter.push(bytes.subarray(0, cut))).toEqual([])
    expect(splitter.push(bytes.subarray(cut))).toEqual(['Zeitzone: Europe/Zürich'])
  })

  it('cuts an endless line into pieces instead of holding it all', () => {
    const splitter = new LineSplitter()
    const lines = splitter.push(Buffer.from('x'.repeat(maxLineLength * 2 + 5)))
    expect(lines).toEqual(['x'.repeat(maxLineLength), 'x'.repeat(maxLineLength)])
    expect(splitter.flush()).toEqual(['xxxxx'])
  })
})
