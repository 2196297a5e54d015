import { describe, expect, it } from 'vitest'
import { sha256Crypt } from '../../../src/sim/index.js'

describe('sha256Crypt', () => {
  it('matches the reference vectors of SHA-crypt', () => {
    expect(sha256Crypt('Hello world!', 'saltstring')).toBe(
      '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5',
    )
    expect(sha256Crypt('', 'salt')).toMatch(/^\$5\$salt\$[./0-9A-Za-z]{43}$/)
  })

  it('makes a fresh salt each time', () => {
    expect(sha256Crypt('pw')).not.toBe(sha256Crypt('pw'))
  })
})
