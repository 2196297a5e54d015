import {
  cidrContains,
  cidrFirst,
  cidrLast,
  formatCidr,
  formatIpAddress,
  parseCidr,
  parseIpAddress,
  type Cidr,
} from '../../lib/ip-address/index.js'
import type { StaticIpv4, VmNetwork } from '../vm-network.js'
import type { FieldReader } from './field-reader.js'
import { readPool, type ForbiddenAddress, type ValueRange } from './read-pool.js'

/** The IPv4 addressing of a network and the addresses its pool spans (for the overlap check). */
export interface ReadIpv4 {
  ipv4: VmNetwork['ipv4']
  span: readonly ValueRange[]
}

const loopback = parseCidr('127.0.0.0/8')

/**
 * Reads a network's IPv4 addressing (`mode`, `cidr`, `gateway`, `pool`, `dns`). With the
 * simulator a static network must be loopback, as `GATEWAY` must: simulated guests answer SSH
 * on this host.
 */
export function readIpv4(reader: FieldReader, simulated: boolean): ReadIpv4 | undefined {
  const mode = reader.oneOf('mode', ['static', 'dhcp'] as const)
  if (mode === 'dhcp') {
    for (const field of ['cidr', 'gateway', 'pool', 'dns']) {
      if (reader.has(field)) reader.problem(field, 'only with mode static (DHCP hands it out)')
    }
    return { ipv4: { mode: 'dhcp' }, span: [] }
  }
  const cidr = readCidr(reader, simulated)
  const dns = readDns(reader)
  if (mode === undefined || cidr === undefined) return undefined
  const network = cidrFirst(cidr)
  const broadcast = cidrLast(cidr)
  // a /31 or /32 has no network and broadcast address to keep free (RFC 3021)
  const reserved: ForbiddenAddress[] =
    cidr.prefixLength <= 30
      ? [
          { address: network, what: 'network address' },
          { address: broadcast, what: 'broadcast address' },
        ]
      : []
  const gatewayText = reader.text('gateway', { required: true })
  const gateway = gatewayText === undefined ? undefined : parseIpAddress(gatewayText)
  if (gatewayText !== undefined && gateway?.family !== 4) {
    reader.problem('gateway', `must be an IPv4 address, got "${gatewayText}"`)
  } else if (gateway !== undefined && !cidrContains(cidr, gateway)) {
    reader.problem('gateway', `${gatewayText ?? ''} is outside ${formatCidr(cidr)}`)
  } else if (gateway !== undefined && reserved.some((r) => r.address.value === gateway.value)) {
    reader.problem('gateway', `${gatewayText ?? ''} is the network or broadcast address`)
  }
  const forbidden =
    gateway === undefined ? reserved : [...reserved, { address: gateway, what: 'gateway' }]
  const pool = readPool(reader, cidr, forbidden)
  if (gateway?.family !== 4 || dns === undefined || (reader.has('pool') && pool === undefined)) {
    return undefined
  }
  const ipv4: StaticIpv4 = {
    mode: 'static',
    cidr: formatCidr(cidr),
    prefixLength: cidr.prefixLength,
    gateway: formatIpAddress(gateway),
    dns,
    ...(pool === undefined ? {} : { pool: pool.ranges }),
  }
  return { ipv4, span: pool?.values ?? [{ from: network.value, to: broadcast.value }] }
}

function readCidr(reader: FieldReader, simulated: boolean): Cidr | undefined {
  const text = reader.text('cidr', { required: true })
  if (text === undefined) return undefined
  const parsed = parseCidr(text)
  if (!parsed.ok || parsed.cidr.family !== 4) {
    reader.problem(
      'cidr',
      parsed.ok ? `must be an IPv4 network, got "${text}"` : `"${text}" ${parsed.reason}`,
    )
    return undefined
  }
  const { cidr } = parsed
  if (simulated && loopback.ok && !cidrContains(loopback.cidr, cidrFirst(cidr))) {
    reader.problem(
      'cidr',
      `must be a loopback network (inside 127.0.0.0/8) while the simulator runs, got "${text}"`,
    )
    return undefined
  }
  return cidr
}

function readDns(reader: FieldReader): string[] | undefined {
  const raw = reader.raw('dns')
  if (raw === undefined) return []
  const entries: unknown[] = Array.isArray(raw) ? raw : [raw]
  const servers: string[] = []
  for (const entry of entries) {
    const address = typeof entry === 'string' ? parseIpAddress(entry.trim()) : undefined
    if (address === undefined) {
      reader.problem('dns', `each name server must be an IP address, got ${JSON.stringify(entry)}`)
      return undefined
    }
    servers.push(formatIpAddress(address))
  }
  return servers
}
