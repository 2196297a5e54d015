import { isIPv4, isIPv6 } from 'node:net'

/** An IP address as a number, so pools can count, compare and step through addresses. */
export interface IpAddress {
  readonly family: 4 | 6
  readonly value: bigint
}

/** Bits of an address of each family. */
export const addressBits = { 4: 32, 6: 128 } as const

/**
 * Parses a dotted-quad IPv4 or an IPv6 address (any valid spelling, an embedded IPv4 tail
 * included); undefined for anything else (a zone index `%eth0` too).
 */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: ipv4Value(text) }
  if (isIPv6(text) && !text.includes('%')) return { family: 6, value: ipv6Value(text) }
  return undefined
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n)
}

function ipv6Value(text: string): bigint {
  let groups = text
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (tail?.[1] !== undefined) {
    const v4 = ipv4Value(tail[1])
    groups = `${text.slice(0, tail.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head = '', rest] = groups.split('::')
  const words = (part: string): string[] => (part === '' ? [] : part.split(':'))
  const left = words(head)
  const right = rest === undefined ? [] : words(rest)
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...zeros, ...right].reduce(
    (sum, word) => (sum << 16n) | BigInt(parseInt(word, 16)),
    0n,
  )
}

/** The canonical text of an address: dotted quad, or RFC 5952 IPv6 (lower case, `::` once). */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join('.')
  }
  const words = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) =>
    Number((address.value >> shift) & 0xffffn),
  )
  // the longest run of two or more zero words becomes `::` (the first of equal runs)
  let best = { start: -1, length: 1 }
  for (let start = 0; start < 8; start++) {
    let length = 0
    while (start + length < 8 && words[start + length] === 0) length++
    if (length > best.length) best = { start, length }
  }
  const hex = words.map((word) => word.toString(16))
  if (best.start < 0) return hex.join(':')
  const head = hex.slice(0, best.start).join(':')
  const tail = hex.slice(best.start + best.length).join(':')
  return `${head}::${tail}`
}

/** The canonical form of an address text, or undefined when it is not one. */
export function canonicalIpAddress(text: string): string | undefined {
  const address = parseIpAddress(text)
  return address === undefined ? undefined : formatIpAddress(address)
}

/** The address `step` after `address` (negative: before); undefined past the family's ends. */
export function offsetIpAddress(address: IpAddress, step: bigint): IpAddress | undefined {
  const value = address.value + step
  if (value < 0n || value >= 1n << BigInt(addressBits[address.family])) return undefined
  return { family: address.family, value }
}
