import { describe, expect, it } from 'vitest'
import {
  canonicalIpAddress,
  cidrContains,
  formatCidr,
  parseCidr,
  parseIpAddress,
} from '../../src/lib/ip-address/index.js'

describe('IP addresses as numbers (src/lib/ip-address)', () => {
  it.each([
    ['10.20.3.250', '10.20.3.250'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:9:0:ffff:ffff:ffff:ffff', '2001:db8:9:0:ffff:ffff:ffff:ffff'],
    ['::', '::'],
    ['::ffff:127.0.0.5', '::ffff:7f00:5'],
    ['fe80::1', 'fe80::1'],
  ])('writes %s as %s (RFC 5952)', (text, canonical) => {
    expect(canonicalIpAddress(text)).toBe(canonical)
  })

  it.each(['10.20.3.256', '10.20.3', 'fe80::1%eth0', '2001:db8:::1', 'lan'])(
    'refuses %s',
    (text) => {
      expect(parseIpAddress(text)).toBeUndefined()
    },
  )

  it('parses networks of any prefix length and refuses host bits', () => {
    const wide = parseCidr('10.20.0.0/22')
    expect(wide.ok && formatCidr(wide.cidr)).toBe('10.20.0.0/22')
    const inside = parseIpAddress('10.20.3.255')
    const outside = parseIpAddress('10.20.4.0')
    expect(wide.ok && inside !== undefined && cidrContains(wide.cidr, inside)).toBe(true)
    expect(wide.ok && outside !== undefined && cidrContains(wide.cidr, outside)).toBe(false)
    expect(parseCidr('10.20.1.0/22')).toEqual({
      ok: false,
      reason: 'has host bits set: the network of that prefix is 10.20.0.0/22',
    })
    expect(parseCidr('2001:db8::/129')).toEqual({
      ok: false,
      reason: 'has a prefix length above 128',
    })
    const all = parseCidr('0.0.0.0/0')
    expect(all.ok).toBe(true)
  })
})
