import {
  cidrContains,
  cidrFirst,
  cidrLast,
  formatIpAddress,
  parseIpAddress,
  type Cidr,
  type IpAddress,
} from '../../lib/ip-address/index.js'
import type { AddressRange } from '../vm-network.js'
import { isFileObject, shown, type FieldReader } from './field-reader.js'

/** A pool range as numbers, for the overlap checks. */
export interface ValueRange {
  readonly from: bigint
  readonly to: bigint
}

/** Addresses a pool must not hand out, each with the reason shown in the problem. */
export interface ForbiddenAddress {
  readonly address: IpAddress
  readonly what: string
}

/**
 * Reads `pool`: a range (`"10.20.0.10-10.20.3.250"` or `{ from, to }`), a single address, or a
 * list of those. Every range must lie inside `cidr`, run low to high, not overlap another, and
 * hold none of the `forbidden` addresses (network, broadcast, gateway).
 */
export function readPool(
  reader: FieldReader,
  cidr: Cidr,
  forbidden: readonly ForbiddenAddress[],
): { ranges: AddressRange[]; values: ValueRange[] } | undefined {
  const raw = reader.raw('pool')
  if (raw === undefined) return undefined
  const entries: unknown[] = Array.isArray(raw) ? raw : [raw]
  if (entries.length === 0) {
    reader.problem('pool', 'must list at least one address or range')
    return undefined
  }
  const values: ValueRange[] = []
  let ok = true
  for (const entry of entries) {
    const range = readRange(entry, cidr.family)
    if (typeof range === 'string') {
      reader.problem('pool', range)
      ok = false
      continue
    }
    const problem = rangeProblem(range, cidr, forbidden, values)
    if (problem !== undefined) {
      reader.problem('pool', `${describe(range)} ${problem}`)
      ok = false
      continue
    }
    values.push({ from: range.from.value, to: range.to.value })
  }
  if (!ok) return undefined
  const ranges = values.map((range) => ({
    from: formatIpAddress({ family: cidr.family, value: range.from }),
    to: formatIpAddress({ family: cidr.family, value: range.to }),
  }))
  return { ranges, values }
}

interface Range {
  from: IpAddress
  to: IpAddress
}

function readRange(entry: unknown, family: 4 | 6): Range | string {
  let fromText: unknown
  let toText: unknown
  if (typeof entry === 'string') {
    const parts = entry.split('-').map((part) => part.trim())
    ;[fromText, toText] = parts.length === 1 ? [parts[0], parts[0]] : parts
    if (parts.length > 2) return `must be <first>-<last>, got ${shown(entry)}`
  } else if (isFileObject(entry)) {
    const extra = Object.keys(entry).filter((key) => key !== 'from' && key !== 'to')
    if (extra.length > 0) return `a range takes only from and to, got ${extra.join(', ')}`
    fromText = entry.from
    toText = entry.to
  } else {
    return `each entry must be an address, "<first>-<last>" or { from, to }, got ${shown(entry)}`
  }
  const from = typeof fromText === 'string' ? parseIpAddress(fromText) : undefined
  const to = typeof toText === 'string' ? parseIpAddress(toText) : undefined
  if (from?.family !== family || to?.family !== family) {
    return `${shown(entry)} is not a range of IPv${family} addresses`
  }
  return { from, to }
}

function rangeProblem(
  range: Range,
  cidr: Cidr,
  forbidden: readonly ForbiddenAddress[],
  earlier: readonly ValueRange[],
): string | undefined {
  if (range.from.value > range.to.value) return 'runs backwards (first above last)'
  if (!cidrContains(cidr, range.from) || !cidrContains(cidr, range.to)) {
    const network = `${formatIpAddress(cidrFirst(cidr))}-${formatIpAddress(cidrLast(cidr))}`
    return `is outside the network (${network})`
  }
  for (const { address, what } of forbidden) {
    if (address.value >= range.from.value && address.value <= range.to.value) {
      return `includes the ${what} ${formatIpAddress(address)}`
    }
  }
  if (earlier.some((other) => range.from.value <= other.to && range.to.value >= other.from)) {
    return 'overlaps another range of the pool'
  }
  return undefined
}

function describe(range: Range): string {
  const from = formatIpAddress(range.from)
  const to = formatIpAddress(range.to)
  return from === to ? from : `${from}-${to}`
}
