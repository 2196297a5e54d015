import { describe, expect, it } from 'vitest'
import { normalizeAddress } from '../../../src/http/allow-ips/index.js'

describe('normalizeAddress', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['  127.0.0.1 ', '127.0.0.1'],
    ['127.0.0.1:8080', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:0102', '127.0.1.2'],
    ['[::1]:443', '::1'],
    ['[::1]', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['127.0.0.256', undefined],
    ['127.1', undefined],
    ['unknown', undefined],
    ['', undefined],
  ]

  it.each(cases)('reads %j as %j', (text, expected) => {
    expect(normalizeAddress(text)?.address).toBe(expected)
  })
})
