import { addressBits, formatIpAddress, parseIpAddress, type IpAddress } from './ip-address.js'

/** A network: its first address and prefix length. */
export interface Cidr {
  readonly family: 4 | 6
  /** the network address (host bits zero) */
  readonly network: bigint
  readonly prefixLength: number
}

/** The result of {@link parseCidr}: the network, or why the text is not one. */
export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string }

/**
 * Parses `<address>/<length>` (any prefix length of the family). Host bits must be zero, so a
 * typo such as `10.0.1.0/22` is caught instead of silently becoming `10.0.0.0/22`.
 */
export function parseCidr(text: string): CidrParse {
  const match = /^([^/\s]+)\/(\d{1,3})$/.exec(text)
  const address = match?.[1] === undefined ? undefined : parseIpAddress(match[1])
  if (match?.[2] === undefined || address === undefined) {
    return { ok: false, reason: 'must be <address>/<prefix length>, e.g. 10.20.0.0/22' }
  }
  const prefixLength = Number(match[2])
  const bits = addressBits[address.family]
  if (prefixLength > bits) {
    return { ok: false, reason: `has a prefix length above ${bits}` }
  }
  const cidr = { family: address.family, network: address.value, prefixLength }
  const start = cidrFirst(cidr)
  if (start.value !== address.value) {
    return {
      ok: false,
      reason: `has host bits set: the network of that prefix is ${formatCidr({ ...cidr, network: start.value })}`,
    }
  }
  return { ok: true, cidr }
}

function hostMask(cidr: Pick<Cidr, 'family' | 'prefixLength'>): bigint {
  return (1n << BigInt(addressBits[cidr.family] - cidr.prefixLength)) - 1n
}

/** The first address of the network (the network address itself). */
export function cidrFirst(cidr: Cidr): IpAddress {
  return { family: cidr.family, value: cidr.network & ~hostMask(cidr) }
}

/** The last address of the network (IPv4: the broadcast address). */
export function cidrLast(cidr: Cidr): IpAddress {
  return { family: cidr.family, value: cidrFirst(cidr).value | hostMask(cidr) }
}

/** Whether `address` is inside `cidr` (same family, between its first and last address). */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  return (
    address.family === cidr.family &&
    address.value >= cidrFirst(cidr).value &&
    address.value <= cidrLast(cidr).value
  )
}

/** `10.20.0.0/22`, `2001:db8::/64`. */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress({ family: cidr.family, value: cidr.network })}/${cidr.prefixLength}`
}
