import { AppError } from '../../errors.js'
import { ipv4ToNumber, isLoopbackIpv4, numberToIpv4 } from './addresses.js'

/** One DHCP lease: which MAC holds which address, on which bridge (and VLAN). */
export interface SimLease {
  mac: string
  address: string
  bridge: string
  vlan?: number
  vmid: number
}

/** The simulated DHCP servers' pool, shared by every bridge so leases never collide. */
export interface DhcpRange {
  start: string
  end: string
}

/** The default DHCP range: loopback, away from the seed's `<gw3>.<vmid>` and the nodes' 127.0.1.x. */
export const defaultDhcpRange: DhcpRange = { start: '127.0.2.10', end: '127.0.2.250' }

/** What the simulator knows of the network around its VMs (none of it persisted: a restart
 * starts with empty lease tables; leases are derived from the MAC, so mostly the same again). */
export interface SimNetworkState {
  readonly range: { first: number; last: number }
  /** MAC (lower case) → DHCPv4 lease */
  readonly leases: Map<string, SimLease>
  /** MAC (lower case) → DHCPv6 lease */
  readonly leases6: Map<string, string>
  /** addresses a test said some other machine answers ping on */
  readonly foreignHosts: Set<string>
  /** VMs whose agent stays down however long they run (a test lets go) */
  readonly heldAgents: Set<number>
  /** VMs whose next agent commands time out: vmid → how many */
  readonly agentTimeouts: Map<number, number>
  /** ms at speed 1 from power-on until the guest OS (and its agent) is up */
  readonly guestBootMs: number
  /** the VMs' gateway (answers ping) */
  readonly gateway: string
}

export function createNetworkState(options: {
  dhcpRange?: DhcpRange
  guestBootMs: number
  gateway: string
}): SimNetworkState {
  const range = options.dhcpRange ?? defaultDhcpRange
  if (!isLoopbackIpv4(range.start) || !isLoopbackIpv4(range.end)) {
    throw new AppError(
      'SIM_BAD_OPTIONS',
      `the simulated DHCP range must be loopback (127.0.0.0/8), got ${range.start}-${range.end}`,
    )
  }
  const first = ipv4ToNumber(range.start)
  const last = ipv4ToNumber(range.end)
  if (last < first) {
    throw new AppError(
      'SIM_BAD_OPTIONS',
      `the simulated DHCP range ${range.start}-${range.end} is empty`,
    )
  }
  if (!Number.isFinite(options.guestBootMs) || options.guestBootMs < 0) {
    throw new AppError('SIM_BAD_OPTIONS', `guestBootMs must be a number >= 0`)
  }
  return {
    range: { first, last },
    leases: new Map(),
    leases6: new Map(),
    foreignHosts: new Set(),
    heldAgents: new Set(),
    agentTimeouts: new Map(),
    guestBootMs: options.guestBootMs,
    gateway: options.gateway,
  }
}

/** A small stable hash of a MAC: where its search for a free address starts. */
function macHash(mac: string): number {
  let hash = 2166136261
  for (const char of mac) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0
  return hash
}

/**
 * The DHCPv4 lease of a MAC: the one it had (stable for the simulator's life), or a free address
 * from the range, searched from a point derived from the MAC. When the range is full, a lease of
 * a MAC no VM carries any more is taken over; with none, there is no lease (undefined).
 */
export function leaseFor(
  network: SimNetworkState,
  macsInUse: ReadonlySet<string>,
  request: { mac: string; bridge: string; vlan?: number; vmid: number },
): SimLease | undefined {
  const mac = request.mac.toLowerCase()
  const held = network.leases.get(mac)
  const segment = {
    bridge: request.bridge,
    ...(request.vlan === undefined ? {} : { vlan: request.vlan }),
    vmid: request.vmid,
  }
  if (held !== undefined) {
    const renewed: SimLease = { mac, address: held.address, ...segment }
    network.leases.set(mac, renewed)
    return renewed
  }
  const taken = new Map([...network.leases.values()].map((lease) => [lease.address, lease]))
  const size = network.range.last - network.range.first + 1
  const start = macHash(mac) % size
  let stale: SimLease | undefined
  for (let step = 0; step < size; step++) {
    const address = numberToIpv4(network.range.first + ((start + step) % size))
    const owner = taken.get(address)
    if (owner === undefined) {
      const lease: SimLease = { mac, address, ...segment }
      network.leases.set(mac, lease)
      return lease
    }
    if (stale === undefined && !macsInUse.has(owner.mac)) stale = owner
  }
  if (stale === undefined) return undefined
  network.leases.delete(stale.mac)
  const lease: SimLease = { mac, address: stale.address, ...segment }
  network.leases.set(mac, lease)
  return lease
}

/** The DHCPv6 lease of a MAC: `2001:db8::<n>` (documentation prefix; never connected to). */
export function lease6For(network: SimNetworkState, mac: string): string {
  const key = mac.toLowerCase()
  const held = network.leases6.get(key)
  if (held !== undefined) return held
  const address = `2001:db8::${(0x1000 + network.leases6.size).toString(16)}`
  network.leases6.set(key, address)
  return address
}
