import {
  cidrContains,
  cidrFirst,
  cidrLast,
  formatIpAddress,
  parseCidr,
  parseIpAddress,
  type Cidr,
} from '../../lib/ip-address/index.js'
import type { StaticIpv6, VmNetwork } from '../vm-network.js'
import type { FieldReader } from './field-reader.js'
import { readPool, type ForbiddenAddress, type ValueRange } from './read-pool.js'

/** The IPv6 addressing of a network and the addresses its pool spans. */
export interface ReadIpv6 {
  ipv6: NonNullable<VmNetwork['ipv6']>
  span: readonly ValueRange[]
}

/** Prefixes a simulated network may use: documentation (RFC 3849) and loopback ones. */
const simulatedPrefixes = ['2001:db8::/32', '::1/128', '::ffff:127.0.0.0/104'].flatMap((text) => {
  const parsed = parseCidr(text)
  return parsed.ok ? [parsed.cidr] : []
})
const linkLocal = parseCidr('fe80::/10')

/**
 * Reads a network's `ipv6` mapping: `mode: static` with `prefix` (`2001:db8:20::/64`), `pool`
 * and an optional `gateway` (inside the prefix, or link-local), or `mode: slaac` / `dhcp`.
 */
export function readIpv6(reader: FieldReader, simulated: boolean): ReadIpv6 | undefined {
  reader.onlyKeys(['mode', 'prefix', 'gateway', 'pool'])
  const mode = reader.oneOf('mode', ['static', 'slaac', 'dhcp'] as const)
  if (mode === 'slaac' || mode === 'dhcp') {
    for (const field of ['prefix', 'gateway', 'pool']) {
      if (reader.has(field)) reader.problem(field, `only with mode static (${mode} hands it out)`)
    }
    return { ipv6: { mode }, span: [] }
  }
  const prefix = readPrefix(reader, simulated)
  if (mode === undefined || prefix === undefined) return undefined
  const first = cidrFirst(prefix)
  const reserved: ForbiddenAddress[] =
    prefix.prefixLength <= 126 ? [{ address: first, what: 'subnet-router anycast address' }] : []
  const gatewayText = reader.text('gateway', { required: false })
  const gateway = gatewayText === undefined ? undefined : parseIpAddress(gatewayText)
  if (gatewayText !== undefined) {
    const local = linkLocal.ok && gateway !== undefined && cidrContains(linkLocal.cidr, gateway)
    if (gateway?.family !== 6) {
      reader.problem('gateway', `must be an IPv6 address, got "${gatewayText}"`)
    } else if (!local && !cidrContains(prefix, gateway)) {
      reader.problem('gateway', `${gatewayText} is neither inside the prefix nor link-local`)
    }
  }
  const forbidden =
    gateway?.family === 6 ? [...reserved, { address: gateway, what: 'gateway' }] : reserved
  const pool = readPool(reader, prefix, forbidden)
  if ((gatewayText !== undefined && gateway?.family !== 6) || (reader.has('pool') && !pool)) {
    return undefined
  }
  const ipv6: StaticIpv6 = {
    mode: 'static',
    prefix: formatIpAddress(first),
    prefixLength: prefix.prefixLength,
    ...(gateway === undefined ? {} : { gateway: formatIpAddress(gateway) }),
    ...(pool === undefined ? {} : { pool: pool.ranges }),
  }
  return { ipv6, span: pool?.values ?? [{ from: first.value, to: cidrLast(prefix).value }] }
}

function readPrefix(reader: FieldReader, simulated: boolean): Cidr | undefined {
  const text = reader.text('prefix', { required: true })
  if (text === undefined) return undefined
  const parsed = parseCidr(text)
  if (!parsed.ok || parsed.cidr.family !== 6) {
    reader.problem(
      'prefix',
      parsed.ok
        ? `must be an IPv6 prefix such as 2001:db8:20::/64, got "${text}"`
        : `"${text}" ${parsed.reason}`,
    )
    return undefined
  }
  const { cidr } = parsed
  if (simulated && !simulatedPrefixes.some((allowed) => contains(allowed, cidr))) {
    reader.problem(
      'prefix',
      `must lie inside 2001:db8::/32 (documentation), ::1/128 or ::ffff:127.0.0.0/104 while the simulator runs, got "${text}"`,
    )
    return undefined
  }
  return cidr
}

function contains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefixLength >= outer.prefixLength &&
    cidrContains(outer, cidrFirst(inner)) &&
    cidrContains(outer, cidrLast(inner))
  )
}
