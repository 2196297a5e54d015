import { describe, expect, it } from 'vitest'
import { AllowListEntryError, parseAllowList } from '../../../src/http/allow-ips/index.js'

describe('parseAllowList', () => {
  const cases: { entries: string[]; address: string; allowed: boolean }[] = [
    { entries: ['127.0.0.1'], address: '127.0.0.1', allowed: true },
    { entries: ['127.0.0.1'], address: '127.0.0.2', allowed: false },
    { entries: ['127.0.0.1'], address: '::ffff:127.0.0.1', allowed: true },
    { entries: ['127.0.0.1'], address: '::FFFF:7f00:1', allowed: true },
    { entries: ['::ffff:127.0.0.1'], address: '127.0.0.1', allowed: true },
    { entries: ['127.0.1.0/24'], address: '127.0.1.200', allowed: true },
    { entries: ['127.0.1.0/24'], address: '127.0.2.1', allowed: false },
    { entries: ['127.0.1.0/24'], address: '::ffff:127.0.1.7', allowed: true },
    { entries: ['127.0.1.9/24'], address: '127.0.1.1', allowed: true },
    { entries: ['127.0.0.0/8'], address: '127.255.255.254', allowed: true },
    { entries: ['::1'], address: '::1', allowed: true },
    { entries: ['::1'], address: '0:0:0:0:0:0:0:1', allowed: true },
    { entries: ['::1'], address: '127.0.0.1', allowed: false },
    { entries: ['2001:db8::/32'], address: '2001:DB8:ffff::1', allowed: true },
    { entries: ['2001:db8::/32'], address: '2001:db9::1', allowed: false },
    { entries: ['2001:db8::/32'], address: '192.0.2.1', allowed: false },
    { entries: ['::ffff:0:0/96'], address: '127.0.0.1', allowed: true },
    { entries: ['fe80::1%eth0'], address: 'fe80::1', allowed: true },
    { entries: ['127.0.0.1', '::1'], address: '::1', allowed: true },
    { entries: ['0.0.0.0'], address: '192.0.2.44', allowed: true },
    { entries: ['0.0.0.0'], address: '2001:db8::44', allowed: true },
    { entries: ['::'], address: '192.0.2.44', allowed: true },
    { entries: ['0.0.0.0/0'], address: '2001:db8::44', allowed: true },
    { entries: ['::/0'], address: '192.0.2.44', allowed: true },
    { entries: ['0.0.0.0'], address: 'not-an-address', allowed: true },
    { entries: ['127.0.0.0/8'], address: 'not-an-address', allowed: false },
    { entries: ['127.0.0.1'], address: '', allowed: false },
    { entries: [], address: '127.0.0.1', allowed: false },
    { entries: [' 127.0.0.1 '], address: '127.0.0.1', allowed: true },
  ]

  it.each(cases)('$entries allows $address: $allowed', ({ entries, address, allowed }) => {
    expect(parseAllowList(entries).allows(address)).toBe(allowed)
  })

  it('says when an entry covers everyone', () => {
    expect(parseAllowList(['127.0.0.1', '0.0.0.0']).allowsAll).toBe(true)
    expect(parseAllowList(['127.0.0.0/8']).allowsAll).toBe(false)
  })

  it('keeps the entries in canonical form', () => {
    expect(parseAllowList(['::FFFF:127.0.0.1', '2001:DB8::/32', ' 127.0.0.0/8']).entries).toEqual([
      '127.0.0.1',
      '2001:db8::/32',
      '127.0.0.0/8',
    ])
  })

  const bad: { entry: string; reason: RegExp }[] = [
    { entry: '127.0.0.256', reason: /not an IPv4\/IPv6 address/ },
    { entry: 'localhost', reason: /not an IPv4\/IPv6 address/ },
    { entry: '127.0.0.1:8080', reason: /not an IPv4\/IPv6 address/ },
    { entry: '', reason: /empty entry/ },
    { entry: '127.0.0.0/33', reason: /from 0 to 32/ },
    { entry: '2001:db8::/129', reason: /from 0 to 128/ },
    { entry: '127.0.0.0/', reason: /prefix length/ },
    { entry: '127.0.0.0/-1', reason: /prefix length/ },
    { entry: '127.0.0.0/8/8', reason: /prefix length/ },
    { entry: '127.0.0.0/ 8', reason: /prefix length/ },
    { entry: 'host/24', reason: /before "\/"/ },
  ]

  it.each(bad)('refuses $entry, naming it', ({ entry, reason }) => {
    const attempt = (): unknown => parseAllowList(['127.0.0.1', entry])
    expect(attempt).toThrow(AllowListEntryError)
    expect(attempt).toThrow(reason)
    try {
      attempt()
    } catch (error) {
      expect(error).toMatchObject({ code: 'ALLOW_LIST_ENTRY_INVALID', entry })
      expect(String(error)).toContain(JSON.stringify(entry))
    }
  })
})
