import { ipv4First } from '../../pve/ipconfig.js'

/** The guest agent's view of one interface (the port's `GuestInterface`, as far as read here). */
export interface AgentInterface {
  name: string
  addresses: readonly { address: string; family: 'ipv4' | 'ipv6' }[]
}

/**
 * The addresses a guest reports that others can reach it on: not the loopback interface, not
 * IPv6 link-local (fe80::/10). IPv4 first.
 */
export function agentAddresses(
  interfaces: readonly AgentInterface[],
): { address: string; family: 'ipv4' | 'ipv6' }[] {
  const found = interfaces
    .filter((entry) => entry.name !== 'lo')
    .flatMap((entry) => entry.addresses)
    .filter((entry) => !(entry.family === 'ipv6' && /^fe[89ab]/i.test(entry.address)))
    .map((entry) => ({ address: entry.address, family: entry.family }))
  return ipv4First(found)
}

/** Addresses without duplicates, in order. */
export function uniqueAddresses(entries: readonly { address: string }[]): string[] {
  return [...new Set(entries.map((entry) => entry.address))]
}
