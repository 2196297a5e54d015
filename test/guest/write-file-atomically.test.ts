import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { writeFileAtomically } from '../../src/guest/write-file-atomically.js'
import { makeTempDir } from '../exec/temp-dir.js'

let temp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  temp = makeTempDir()
})
afterEach(() => {
  temp.remove()
})

describe('writeFileAtomically', () => {
  it('replaces a file with the given mode and leaves no temporary file', () => {
    const path = join(temp.dir, 'hosts.json')
    writeFileAtomically(path, 'one', { mode: 0o600 })
    writeFileAtomically(path, 'two', { mode: 0o600 })
    expect(readFileSync(path, 'utf8')).toBe('two')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(readdirSync(temp.dir)).toEqual(['hosts.json'])
  })

  it('in exclusive mode keeps the first writer and reports the loser', () => {
    const path = join(temp.dir, 'id')
    expect(writeFileAtomically(path, 'first', { mode: 0o600, exclusive: true })).toBe(true)
    expect(writeFileAtomically(path, 'second', { mode: 0o600, exclusive: true })).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe('first')
    expect(readdirSync(temp.dir)).toEqual(['id'])
  })
})
