import { describe, expect, it } from 'vitest'
import { clientAddress, parseAllowList } from '../../../src/http/allow-ips/index.js'

const proxies = parseAllowList(['127.0.0.2', '127.0.1.0/24', '::1'])

describe('clientAddress', () => {
  const cases: {
    name: string
    socketAddress: string
    forwardedFor?: string
    trusted: boolean
    expected: string
  }[] = [
    {
      name: 'uses the socket peer when there is no header',
      socketAddress: '127.0.0.2',
      trusted: true,
      expected: '127.0.0.2',
    },
    {
      name: 'ignores the header when no proxy is trusted',
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.5.5',
      trusted: false,
      expected: '127.0.0.2',
    },
    {
      name: 'ignores the header from a peer that is not a trusted proxy',
      socketAddress: '127.0.0.9',
      forwardedFor: '127.0.5.5',
      trusted: true,
      expected: '127.0.0.9',
    },
    {
      name: 'believes the header from a trusted proxy',
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.5.5',
      trusted: true,
      expected: '127.0.5.5',
    },
    {
      name: 'takes the right-most address, not a forged left one',
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.9.9, 127.0.5.5',
      trusted: true,
      expected: '127.0.5.5',
    },
    {
      name: 'skips hops that are trusted proxies themselves',
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.9.9, 127.0.5.5, 127.0.1.3, 127.0.1.4',
      trusted: true,
      expected: '127.0.5.5',
    },
    {
      name: 'answers the left-most hop when every hop is a trusted proxy',
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.1.3,127.0.1.4',
      trusted: true,
      expected: '127.0.1.3',
    },
    {
      name: 'treats an IPv4-mapped peer as its IPv4 form',
      socketAddress: '::ffff:127.0.0.2',
      forwardedFor: '127.0.5.5',
      trusted: true,
      expected: '127.0.5.5',
    },
    {
      name: 'reports an IPv4-mapped peer as IPv4',
      socketAddress: '::ffff:127.0.0.9',
      trusted: false,
      expected: '127.0.0.9',
    },
    {
      name: 'reads IPv6 hops and drops ports',
      socketAddress: '::1',
      forwardedFor: '[2001:db8::7]:4711, 127.0.1.3:80',
      trusted: true,
      expected: '2001:db8::7',
    },
    {
      name: 'returns a garbage hop as written, so an allowlist refuses it',
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.5.5, unknown',
      trusted: true,
      expected: 'unknown',
    },
    {
      name: 'falls back to the peer when the header is empty',
      socketAddress: '127.0.0.2',
      forwardedFor: ' , ',
      trusted: true,
      expected: '127.0.0.2',
    },
  ]

  it.each(cases)('$name', ({ socketAddress, forwardedFor, trusted, expected }) => {
    expect(
      clientAddress({
        socketAddress,
        forwardedFor,
        trustedProxies: trusted ? proxies : undefined,
      }),
    ).toBe(expected)
  })

  it('lets an allowlist refuse a client that forges its address through a proxy', () => {
    const allow = parseAllowList(['127.0.5.5'])
    const address = clientAddress({
      socketAddress: '127.0.0.2',
      forwardedFor: '127.0.5.5, 127.0.6.6',
      trustedProxies: proxies,
    })
    expect(allow.allows(address)).toBe(false)
  })
})
