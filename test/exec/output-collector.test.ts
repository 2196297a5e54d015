import { describe, expect, it } from 'vitest'

import { OutputCollector } from '../../src/exec/output-collector.js'

describe('OutputCollector', () => {
  it('decodes a character split across two chunks', () => {
    const lines: string[] = []
    const collector = new OutputCollector((line) => lines.push(line))
    const bytes = Buffer.from('größe ✓\n')
    collector.push(bytes.subarray(0, 3))
    collector.push(bytes.subarray(3))
    expect(collector.end()).toBe('größe ✓\n')
    expect(lines).toEqual(['größe ✓'])
  })

  it('joins a line split across chunks and emits it once complete', () => {
    const lines: string[] = []
    const collector = new OutputCollector((line) => lines.push(line))
    collector.push('transferred 0.0 B of ')
    expect(lines).toEqual([])
    collector.push('3.5 GiB (0.00%)\ntransferred')
    expect(lines).toEqual(['transferred 0.0 B of 3.5 GiB (0.00%)'])
    collector.end()
    expect(lines).toEqual(['transferred 0.0 B of 3.5 GiB (0.00%)', 'transferred'])
  })

  it('emits a line that never ends once it passes the cap', () => {
    const lines: string[] = []
    const collector = new OutputCollector((line) => lines.push(line), 10)
    collector.push('x'.repeat(25))
    expect(lines).toEqual(['x'.repeat(25)])
  })
})
