import { isIPv4, isIPv6 } from 'node:net'
import type { VmConfig } from '../../pve/cluster.js'

/** One static address of a VM's cloud-init config, without its prefix length. */
export interface StaticAddress {
  address: string
  family: 'ipv4' | 'ipv6'
  /** the `ipconfigN` it comes from */
  index: number
}

/** What a VM's `ipconfig0`..`ipconfigN` say about its addresses. */
export interface ConfiguredAddresses {
  /** static `ip=`/`ip6=` values, IPv4 first, then in interface order */
  static: StaticAddress[]
  /** some interface learns its address at boot (`ip=dhcp`, `ip6=dhcp|auto`): only the guest
   * agent knows it */
  dynamic: boolean
}

/** qemu-server allows net0..net31 and ipconfig0..ipconfig31 (PVE/QemuServer.pm MAX_NETS). */
const ipconfigKey = /^ipconfig(\d{1,2})$/

/**
 * Reads every `ipconfigN` of a config (`ip=10.0.0.5/22,gw=10.0.0.1,ip6=2001:db8::5/64`). The
 * option format is qemu-server's `ipconfig` (PVE/QemuServer/Cloudinit.pm): `ip` takes an IPv4
 * CIDR or `dhcp`, `ip6` an IPv6 CIDR, `dhcp` or `auto` (SLAAC).
 */
export function configuredAddresses(config: VmConfig): ConfiguredAddresses {
  const found: StaticAddress[] = []
  let dynamic = false
  const indexes = Object.keys(config)
    .map((key) => ipconfigKey.exec(key)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
  for (const index of indexes) {
    for (const part of (config[`ipconfig${index}`] ?? '').split(',')) {
      const [key = '', value = ''] = part.split('=', 2).map((piece) => piece.trim())
      if (key !== 'ip' && key !== 'ip6') continue
      if (value === 'dhcp' || value === 'auto') {
        dynamic = true
        continue
      }
      const address = value.split('/')[0] ?? ''
      if (key === 'ip' && isIPv4(address)) found.push({ address, family: 'ipv4', index })
      if (key === 'ip6' && isIPv6(address)) found.push({ address, family: 'ipv6', index })
    }
  }
  return { static: ipv4First(found), dynamic }
}

/** IPv4 addresses before IPv6 ones, each family in its original order. */
export function ipv4First<T extends { family: 'ipv4' | 'ipv6' }>(entries: readonly T[]): T[] {
  return [
    ...entries.filter((entry) => entry.family === 'ipv4'),
    ...entries.filter((entry) => entry.family === 'ipv6'),
  ]
}

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
