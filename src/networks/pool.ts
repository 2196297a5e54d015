import {
  cidrContains,
  cidrFirst,
  cidrLast,
  offsetIpAddress,
  parseCidr,
  parseIpAddress,
  type Cidr,
  type IpAddress,
} from '../lib/ip-address/index.js'
import type { AddressRange, StaticIpv4, StaticIpv6 } from './network.js'

/** The addresses one family of a static network hands out, in the order it hands them out. */
export interface AddressPool {
  readonly family: 4 | 6
  /** how many addresses the pool holds */
  readonly size: bigint
  contains(address: IpAddress): boolean
  /** every address of the pool, first to last; from `start` on when given */
  addresses(start?: bigint): Iterable<IpAddress>
}

/** Where a default IPv6 pool starts inside its prefix: below it are routers and hand-made hosts. */
const ipv6DefaultOffset = 0x100n

/**
 * The pool of a static family: its ranges as written, or, without `pool`, every host address of
 * the network (IPv4: not the network and broadcast addresses of a /30 or wider; IPv6: from
 * `::100` on, or from `::1` in a prefix too small for that), the gateway always left out.
 */
export function poolOf(family: StaticIpv4 | StaticIpv6): AddressPool {
  const cidr = cidrOf(family)
  const gateway = family.gateway === undefined ? undefined : parseIpAddress(family.gateway)
  const ranges = family.pool === undefined ? defaultRanges(cidr) : family.pool.map(rangeValues)
  const excluded = gateway?.value
  const inRanges = (value: bigint): boolean =>
    ranges.some((range) => value >= range.from && value <= range.to)
  let size = ranges.reduce((sum, range) => sum + range.to - range.from + 1n, 0n)
  if (excluded !== undefined && inRanges(excluded)) size -= 1n
  return {
    family: cidr.family,
    size,
    contains: (address) =>
      address.family === cidr.family && address.value !== excluded && inRanges(address.value),
    *addresses(start = 0n) {
      for (const range of ranges) {
        if (range.to < start) continue
        for (let value = range.from > start ? range.from : start; value <= range.to; value++) {
          if (value !== excluded) yield { family: cidr.family, value }
        }
      }
    },
  }
}

/** The network of a static family: `cidr` (IPv4) or `prefix/prefixLength` (IPv6). */
export function cidrOf(family: StaticIpv4 | StaticIpv6): Cidr {
  const text = 'cidr' in family ? family.cidr : `${family.prefix}/${family.prefixLength}`
  const parsed = parseCidr(text)
  if (!parsed.ok) throw new TypeError(`network ${text} ${parsed.reason}`)
  return parsed.cidr
}

interface ValueRange {
  from: bigint
  to: bigint
}

function rangeValues(range: AddressRange): ValueRange {
  const from = parseIpAddress(range.from)
  const to = parseIpAddress(range.to)
  if (from === undefined || to === undefined) {
    throw new TypeError(`pool range ${range.from}-${range.to} is not two addresses`)
  }
  return { from: from.value, to: to.value }
}

function defaultRanges(cidr: Cidr): ValueRange[] {
  const first = cidrFirst(cidr)
  const last = cidrLast(cidr)
  if (cidr.family === 6) {
    const start = offsetIpAddress(first, ipv6DefaultOffset)
    if (start !== undefined && start.value <= last.value)
      return [{ from: start.value, to: last.value }]
    // a small prefix: all of it but the subnet-router anycast address (RFC 4291 2.6.1)
    return [{ from: cidr.prefixLength <= 126 ? first.value + 1n : first.value, to: last.value }]
  }
  // a /31 has no network or broadcast address (RFC 3021), a /32 is one host
  if (cidr.prefixLength >= 31) return [{ from: first.value, to: last.value }]
  return [{ from: first.value + 1n, to: last.value - 1n }]
}

/** Whether `text` is an address of `cidr`'s network. */
export function isInNetwork(family: StaticIpv4 | StaticIpv6, text: string): boolean {
  const address = parseIpAddress(text)
  return address !== undefined && cidrContains(cidrOf(family), address)
}
