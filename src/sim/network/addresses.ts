import { isIPv4, isIPv6 } from 'node:net'

/** 127.0.0.0/8 as a number range: everything here stays on this machine. */
export function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0)
}

export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')
}

/** True for 127.0.0.0/8. */
export function isLoopbackIpv4(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.')
}

/**
 * The only IPv6 addresses a simulated guest may listen on: `::1` and IPv4-mapped loopback
 * (`::ffff:127.x.y.z`). Anything else (2001:db8::/32 included) is a value, never a socket.
 */
export function isLoopbackIpv6(address: string): boolean {
  if (!isIPv6(address)) return false
  const text = address.toLowerCase()
  if (text === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(text)) return true
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  return mapped?.[1] !== undefined && isLoopbackIpv4(mapped[1])
}

/** An IPv6 address in its canonical short form (RFC 5952), as Linux and qemu-ga print it;
 * IPv4-mapped addresses keep their dotted tail. */
export function canonicalIpv6(address: string): string {
  const text = address.toLowerCase()
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/.test(text)) return text
  return new URL(`http://[${text}]/`).hostname.slice(1, -1)
}

/** The interface identifier SLAAC derives from a MAC (modified EUI-64, RFC 4291 app. A). */
export function eui64(mac: string): string {
  const bytes = mac.split(':').map((part) => parseInt(part, 16))
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = bytes
  const groups = [((a ^ 0x02) << 8) | b, (c << 8) | 0xff, (0xfe << 8) | d, (e << 8) | f]
  return groups.map((group) => group.toString(16)).join(':')
}
