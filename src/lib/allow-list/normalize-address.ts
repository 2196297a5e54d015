import { isIPv4, isIPv6 } from 'node:net'

/** An address in the form the rest of the module compares and prints. */
export interface NormalizedAddress {
  address: string
  family: 'ipv4' | 'ipv6'
}

const mappedDotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i
const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i
const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/
const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/

/**
 * Parses an exact IP address literal, or returns undefined. A dual-stack socket reports IPv4
 * peers as `::ffff:a.b.c.d`; those become plain IPv4, so logs and rules see one form. A zone id
 * (`fe80::1%eth0`) is dropped: it names an interface of this host, not the peer.
 */
export function parseAddress(text: string): NormalizedAddress | undefined {
  let candidate = text
  const zone = candidate.indexOf('%')
  if (zone > 0 && candidate.includes(':')) candidate = candidate.slice(0, zone)

  if (isIPv4(candidate)) return { address: candidate, family: 'ipv4' }
  if (!isIPv6(candidate)) return undefined

  const dotted = mappedDotted.exec(candidate)?.[1]
  if (dotted !== undefined && isIPv4(dotted)) return { address: dotted, family: 'ipv4' }
  const hex = mappedHex.exec(candidate)
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const high = Number.parseInt(hex[1], 16)
    const low = Number.parseInt(hex[2], 16)
    const octets = [high >> 8, high & 0xff, low >> 8, low & 0xff]
    return { address: octets.join('.'), family: 'ipv4' }
  }
  return { address: candidate.toLowerCase(), family: 'ipv6' }
}

/**
 * Parses an address as sockets and proxies report it, or returns undefined when it is not an IP
 * address. On top of {@link parseAddress} it drops a port (`a.b.c.d:p`, `[v6]:p`), which some
 * proxies append in X-Forwarded-For, and surrounding whitespace.
 */
export function normalizeAddress(text: string): NormalizedAddress | undefined {
  const trimmed = text.trim()
  const bare = bracketed.exec(trimmed)?.[1] ?? v4WithPort.exec(trimmed)?.[1] ?? trimmed
  return parseAddress(bare)
}
