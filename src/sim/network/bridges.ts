import { AppError } from '../../errors.js'

/**
 * A node's bridge as `/etc/network/interfaces` declares it and `GET /nodes/{node}/network`
 * lists it (pve-manager PVE/API2/Network.pm): a Linux bridge (VLAN-aware or not) or an OVS
 * bridge, with the physical ports behind it and its MTU (what qemu-server reads from
 * `/sys/class/net/<bridge>/mtu` when a VM starts).
 */
export interface SimBridge {
  iface: string
  type: 'bridge' | 'OVSBridge'
  /** `bridge_vlan_aware 1` (Linux); an OVS bridge always carries VLAN tags */
  vlanAware: boolean
  /** up right now (`active: 1`) */
  active: boolean
  /** `bridge_ports` / `ovs_ports` */
  ports: string[]
  /** bytes; 1500 unless the interfaces file says otherwise */
  mtu: number
  /** the node's own address on this bridge, `a.b.c.d/len` */
  cidr?: string
  gateway?: string
}

/** What a test or the simulator options give for one bridge; the rest defaults. */
export interface SimBridgeSpec {
  iface: string
  /** default `bridge` (Linux) */
  type?: 'bridge' | 'OVSBridge'
  /** default false */
  vlanAware?: boolean
  /** default true */
  active?: boolean
  ports?: string[]
  /** default 1500 */
  mtu?: number
  cidr?: string
  gateway?: string
}

/** Every node's bridges unless told otherwise: `vmbr0` (VLAN-aware, holding the node's address)
 * and `vmbr1` (not VLAN-aware), each on its own physical port. */
export function defaultBridges(nodeIp: string, gateway: string): SimBridge[] {
  return [
    {
      iface: 'vmbr0',
      type: 'bridge',
      vlanAware: true,
      active: true,
      ports: ['eno1'],
      mtu: 1500,
      cidr: `${nodeIp}/24`,
      gateway,
    },
    { iface: 'vmbr1', type: 'bridge', vlanAware: false, active: true, ports: ['eno2'], mtu: 1500 },
  ]
}

/** Linux's interface names: at most 15 characters, no spaces or slashes (pve-common
 * PVE/Network.pm check_iface_name); bridges are `pve-iface` ids. */
const ifacePattern = /^[a-zA-Z][a-zA-Z0-9_.-]{1,14}$/

/** Checks and completes bridge specs; a bad one is the caller's mistake, named. */
export function buildBridges(node: string, specs: readonly SimBridgeSpec[]): SimBridge[] {
  const seen = new Set<string>()
  return specs.map((spec) => {
    if (!ifacePattern.test(spec.iface)) {
      throw new AppError(
        'SIM_BAD_OPTIONS',
        `bridge name '${spec.iface}' on ${node} is not a valid interface name`,
      )
    }
    if (seen.has(spec.iface)) {
      throw new AppError('SIM_BAD_OPTIONS', `bridge '${spec.iface}' is given twice for ${node}`)
    }
    seen.add(spec.iface)
    const mtu = spec.mtu ?? 1500
    if (!Number.isInteger(mtu) || mtu < 576 || mtu > 65520) {
      throw new AppError(
        'SIM_BAD_OPTIONS',
        `bridge '${spec.iface}' on ${node}: mtu ${mtu} is out of range`,
      )
    }
    const type = spec.type ?? 'bridge'
    return {
      iface: spec.iface,
      type,
      vlanAware: type === 'OVSBridge' || spec.vlanAware === true,
      active: spec.active ?? true,
      ports: [...(spec.ports ?? [])],
      mtu,
      ...(spec.cidr === undefined ? {} : { cidr: spec.cidr }),
      ...(spec.gateway === undefined ? {} : { gateway: spec.gateway }),
    }
  })
}

/** A bridge back as a spec (what `Simulator.network.bridges` shows a test). */
export function bridgeSpec(bridge: SimBridge): SimBridgeSpec {
  return { ...bridge, ports: [...bridge.ports] }
}

/** The physical NICs a node shows: its two onboard ports and every port a bridge names. */
function physicalPorts(bridges: readonly SimBridge[]): string[] {
  const ports = new Set(['eno1', 'eno2'])
  for (const bridge of bridges) for (const port of bridge.ports) ports.add(port)
  return [...ports]
}

/** The `type` filter values of PVE 9's network index (any_bridge/any_local_bridge: Linux and OVS
 * bridges; include_sdn: everything plus SDN vnets, of which the simulator has none). */
export const networkTypes = [
  'bridge',
  'bond',
  'eth',
  'alias',
  'vlan',
  'fabric',
  'OVSBridge',
  'OVSBond',
  'OVSPort',
  'OVSIntPort',
  'vnet',
  'any_bridge',
  'any_local_bridge',
  'include_sdn',
] as const

/**
 * The node's interfaces as `GET /nodes/{node}/network` answers (pve-manager PVE/API2/Network.pm
 * index: `lo` left out, filtered by `type`, one object per interface with its `iface`), sorted
 * by name. `bridge_vlan_aware` appears only when set, as in the interfaces file.
 */
export function networkEntries(
  bridges: readonly SimBridge[],
  type: string | undefined,
  visible: (bridge: SimBridge) => boolean,
): Record<string, unknown>[] {
  const entries: { iface: string; type: string; entry: Record<string, unknown> }[] = []
  let priority = 1
  for (const port of physicalPorts(bridges)) {
    entries.push({
      iface: port,
      type: 'eth',
      entry: {
        iface: port,
        type: 'eth',
        method: 'manual',
        method6: 'manual',
        families: ['inet'],
        active: 1,
        exists: 1,
        priority: priority++,
      },
    })
  }
  for (const bridge of bridges) {
    if (!visible(bridge)) continue
    const entry: Record<string, unknown> = {
      iface: bridge.iface,
      type: bridge.type,
      method: bridge.cidr === undefined ? 'manual' : 'static',
      method6: 'manual',
      families: ['inet'],
      autostart: 1,
      priority: priority++,
    }
    if (bridge.active) entry.active = 1
    if (bridge.type === 'bridge') {
      entry.bridge_ports = bridge.ports.join(' ')
      entry.bridge_stp = 'off'
      entry.bridge_fd = '0'
      if (bridge.vlanAware) {
        entry.bridge_vlan_aware = 1
        entry['bridge-vids'] = '2-4094'
      }
    } else {
      entry.ovs_ports = bridge.ports.join(' ')
      entry.ovs_type = 'OVSBridge'
    }
    if (bridge.mtu !== 1500) entry.mtu = String(bridge.mtu)
    if (bridge.cidr !== undefined) {
      const [address, length] = bridge.cidr.split('/')
      entry.cidr = bridge.cidr
      entry.address = address
      entry.netmask = length
      if (bridge.gateway !== undefined) entry.gateway = bridge.gateway
    }
    entries.push({ iface: bridge.iface, type: bridge.type, entry })
  }
  return entries
    .filter((item) => matchesType(item.type, type))
    .sort((a, b) => a.iface.localeCompare(b.iface))
    .map((item) => item.entry)
}

function matchesType(actual: string, wanted: string | undefined): boolean {
  if (wanted === undefined || wanted === 'include_sdn') return true
  if (wanted === 'any_bridge' || wanted === 'any_local_bridge')
    return actual === 'bridge' || actual === 'OVSBridge'
  return actual === wanted
}
