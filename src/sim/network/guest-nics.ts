import { isIPv4, isIPv6 } from 'node:net'

import type { SimContext } from '../context.js'
import type { SimVm } from '../state/types.js'
import { canonicalIpv6, eui64 } from './addresses.js'
import { lease6For, leaseFor } from './network-state.js'

/** One address inside a guest. */
export interface SimGuestAddress {
  address: string
  family: 'ipv4' | 'ipv6'
  prefix: number
}

/** One NIC of a VM as its guest OS configured it (cloud-init nocloud names netN `ethN`). */
export interface SimGuestNic {
  /** `eth0` for net0 */
  name: string
  /** `net0` */
  key: string
  /** lower case, as qemu-ga reports it */
  mac: string
  bridge?: string
  vlan?: number
  addresses: SimGuestAddress[]
}

/** `key=value,...` of a netN or ipconfigN value, the first bare `model=MAC` pair included. */
function properties(value: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const part of value.split(',')) {
    const equals = part.indexOf('=')
    if (equals < 0) map.set(part, '')
    else map.set(part.slice(0, equals), part.slice(equals + 1))
  }
  return map
}

const macPattern = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/

/** The MAC of a netN value (`virtio=BC:24:11:…` as PVE stores it, or `macaddr=`). */
export function macOf(netValue: string): string | undefined {
  // PVE stores `<model>=<MAC>`; `macaddr=` is how a request may give it
  for (const value of properties(netValue).values()) {
    const candidate = value.toLowerCase()
    if (macPattern.test(candidate)) return candidate
  }
  return undefined
}

/** The bridge and VLAN tag a netN value names. */
export function bridgeOf(netValue: string): { bridge?: string; vlan?: number } {
  const props = properties(netValue)
  const bridge = props.get('bridge')
  const tag = props.get('tag')
  return {
    ...(bridge === undefined || bridge === '' ? {} : { bridge }),
    ...(tag === undefined || !/^\d+$/.test(tag) ? {} : { vlan: Number(tag) }),
  }
}

/** The netN keys of a config, in index order. */
export function netKeys(config: Record<string, string>): string[] {
  return Object.keys(config)
    .filter((key) => /^net\d+$/.test(key))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
}

/** Every MAC some VM's config carries (a DHCP lease of any other MAC has expired). */
export function macsInUse(sim: SimContext): Set<string> {
  const macs = new Set<string>()
  for (const vm of sim.state.vms.values()) {
    for (const key of netKeys(vm.config)) {
      const mac = macOf(vm.config[key] ?? '')
      if (mac !== undefined) macs.add(mac)
    }
  }
  return macs
}

/**
 * The NICs of a running guest and their addresses, as its cloud-init set them up:
 * - `ip=<a>/<len>`: that address; `ip=dhcp`: a lease from the simulated DHCP server (stable per
 *   MAC); net0 without ipconfig0: the seed's `<gateway's first three octets>.<vmid>/24`, where
 *   the simulated guests' SSH answers such a VM (a real guest would fall back to DHCP);
 * - `ip6=<a>/<len>`: that address; `ip6=auto`: SLAAC in 2001:db8::/64 (EUI-64 of the MAC);
 *   `ip6=dhcp`: a DHCPv6 lease 2001:db8::<n>/128; every NIC also has its fe80:: link-local one.
 * A NIC with `link_down=1` has no addresses.
 */
export function guestNics(sim: SimContext, vm: SimVm): SimGuestNic[] {
  const nics: SimGuestNic[] = []
  let inUse: Set<string> | undefined
  for (const key of netKeys(vm.config)) {
    const value = vm.config[key] ?? ''
    const mac = macOf(value)
    if (mac === undefined) continue
    const index = key.slice(3)
    const segment = bridgeOf(value)
    const nic: SimGuestNic = { name: `eth${index}`, key, mac, ...segment, addresses: [] }
    nics.push(nic)
    if (properties(value).get('link_down') === '1') continue
    const ipconfig = vm.config[`ipconfig${index}`]
    const ip = ipconfig === undefined ? undefined : properties(ipconfig).get('ip')
    const ip6 = ipconfig === undefined ? undefined : properties(ipconfig).get('ip6')
    if (ip === 'dhcp') {
      inUse ??= macsInUse(sim)
      const lease = leaseFor(sim.network, inUse, {
        mac,
        bridge: segment.bridge ?? '',
        ...(segment.vlan === undefined ? {} : { vlan: segment.vlan }),
        vmid: vm.vmid,
      })
      if (lease !== undefined)
        nic.addresses.push({ address: lease.address, family: 'ipv4', prefix: 24 })
    } else if (ip !== undefined) {
      const [address = '', length = '32'] = ip.split('/')
      if (isIPv4(address)) nic.addresses.push({ address, family: 'ipv4', prefix: Number(length) })
    } else if (ipconfig === undefined && index === '0') {
      const base = sim.network.gateway.split('.').slice(0, 3).join('.')
      nic.addresses.push({ address: `${base}.${vm.vmid}`, family: 'ipv4', prefix: 24 })
    }
    if (ip6 === 'auto') {
      nic.addresses.push({
        address: canonicalIpv6(`2001:db8::${eui64(mac)}`),
        family: 'ipv6',
        prefix: 64,
      })
    } else if (ip6 === 'dhcp') {
      nic.addresses.push({ address: lease6For(sim.network, mac), family: 'ipv6', prefix: 128 })
    } else if (ip6 !== undefined) {
      const [address = '', length = '128'] = ip6.split('/')
      if (isIPv6(address))
        nic.addresses.push({
          address: canonicalIpv6(address),
          family: 'ipv6',
          prefix: Number(length),
        })
    }
    nic.addresses.push({
      address: canonicalIpv6(`fe80::${eui64(mac)}`),
      family: 'ipv6',
      prefix: 64,
    })
  }
  return nics
}

/** The IPv4 and (loopback-kind or not) IPv6 addresses net0 holds, for the simulated SSH. */
export function primaryAddresses(nics: readonly SimGuestNic[]): { ipv4?: string; ipv6: string[] } {
  const first = nics.find((nic) => nic.key === 'net0') ?? nics[0]
  const ipv4 = first?.addresses.find((a) => a.family === 'ipv4')?.address
  const ipv6 = (first?.addresses ?? [])
    .filter((a) => a.family === 'ipv6' && !a.address.startsWith('fe80:'))
    .map((a) => a.address)
  return { ...(ipv4 === undefined ? {} : { ipv4 }), ipv6 }
}
