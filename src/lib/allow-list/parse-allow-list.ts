import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { AllowListEntryError } from './errors.js'
import { normalizeAddress, parseAddress } from './normalize-address.js'

/** A parsed list of addresses and ranges that answers "is this peer in it?". */
export interface AllowList {
  /**
   * True when `address` (IPv4, IPv6 or IPv4-mapped IPv6) is covered. A text that is not an
   * address is covered only by an allow-everyone list.
   */
  allows(address: string): boolean
  /** True when an entry covers every address (`0.0.0.0`, `::`, `0.0.0.0/0`, `::/0`). */
  readonly allowsAll: boolean
  /** The entries in canonical form (`::ffff:127.0.0.1` becomes `127.0.0.1`), for logs. */
  readonly entries: readonly string[]
}

/** The seed's "allow everyone" spelling, plus its IPv6 and CIDR equivalents. */
const everyone = new Set(['0.0.0.0', '::', '0.0.0.0/0', '::/0'])
const prefixDigits = /^\d{1,3}$/

/**
 * Parses allowlist entries: exact IPv4/IPv6 addresses and CIDR ranges. `0.0.0.0` (as in the
 * seed), `::`, `0.0.0.0/0` and `::/0` each mean everyone. An empty list allows no one.
 * Throws {@link AllowListEntryError} naming the first entry it cannot read.
 *
 * @example
 * parseAllowList(['127.0.0.1', '127.0.1.0/24']).allows('::ffff:127.0.1.9') // true
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const rules = new BlockList()
  const canonical: string[] = []
  let allowsAll = false
  for (const raw of entries) {
    const entry = raw.trim()
    canonical.push(addEntry(rules, entry))
    if (everyone.has(entry)) allowsAll = true
  }
  return {
    allowsAll,
    entries: canonical,
    allows(address: string): boolean {
      if (allowsAll) return true
      const peer = normalizeAddress(address)
      return peer !== undefined && rules.check(peer.address, peer.family)
    },
  }
}

function addEntry(rules: BlockList, entry: string): string {
  if (entry === '') throw new AllowListEntryError(entry, 'an empty entry is not an address')
  const slash = entry.indexOf('/')
  if (slash === -1) {
    const parsed = parseAddress(entry)
    if (parsed === undefined) {
      throw new AllowListEntryError(entry, 'not an IPv4/IPv6 address or CIDR range')
    }
    rules.addAddress(parsed.address, parsed.family)
    return parsed.address
  }
  const network = parseNetwork(entry.slice(0, slash))
  const prefixText = entry.slice(slash + 1)
  if (network === undefined) {
    throw new AllowListEntryError(entry, 'the part before "/" is not an IPv4/IPv6 address')
  }
  const maxPrefix = network.family === 'ipv4' ? 32 : 128
  const prefix = Number(prefixText)
  if (!prefixDigits.test(prefixText) || prefix > maxPrefix) {
    throw new AllowListEntryError(
      entry,
      `the prefix length after "/" must be an integer from 0 to ${maxPrefix}`,
    )
  }
  rules.addSubnet(network.address, prefix, network.family)
  return `${network.address}/${prefix}`
}

/** A range keeps the family it was written in: `::ffff:0:0/96` is an IPv6 prefix length. */
function parseNetwork(text: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  if (isIPv4(text)) return { address: text, family: 'ipv4' }
  if (isIPv6(text) && !text.includes('%')) return { address: text.toLowerCase(), family: 'ipv6' }
  return undefined
}
