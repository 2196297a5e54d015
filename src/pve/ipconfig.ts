import { isIPv4, isIPv6 } from 'node:net'
import type { VmConfig } from './cluster.js'

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
  /** some interface takes its IPv4 address from DHCP (`ip=dhcp`) */
  dhcpV4: boolean
}

/** qemu-server allows net0..net31 and ipconfig0..ipconfig31 (PVE/QemuServer.pm MAX_NETS). */
const ipconfigKey = /^ipconfig(\d{1,2})$/

/**
 * Reads every `ipconfigN` of a config (`ip=10.0.0.5/22,gw=10.0.0.1,ip6=2001:db8::5/64`). The
 * option format is qemu-server's `ipconfig` (PVE/QemuServer/Cloudinit.pm): `ip` takes an IPv4
 * CIDR or `dhcp`, `ip6` an IPv6 CIDR, `dhcp` or `auto` (SLAAC).
 */
export function configuredAddresses(config: Readonly<VmConfig>): ConfiguredAddresses {
  const found: StaticAddress[] = []
  let dynamic = false
  let dhcpV4 = false
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
        if (key === 'ip') dhcpV4 = true
        continue
      }
      const address = value.split('/')[0] ?? ''
      if (key === 'ip' && isIPv4(address)) found.push({ address, family: 'ipv4', index })
      if (key === 'ip6' && isIPv6(address)) found.push({ address, family: 'ipv6', index })
    }
  }
  return { static: ipv4First(found), dynamic, dhcpV4 }
}

/** IPv4 addresses before IPv6 ones, each family in its original order. */
export function ipv4First<T extends { family: 'ipv4' | 'ipv6' }>(entries: readonly T[]): T[] {
  return [
    ...entries.filter((entry) => entry.family === 'ipv4'),
    ...entries.filter((entry) => entry.family === 'ipv6'),
  ]
}
