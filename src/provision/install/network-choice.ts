import { isIP, isIPv4 } from 'node:net'
import { parseIpAddress } from '../../lib/ip-address/index.js'
import { poolOf, type VmNetwork } from '../../networks/index.js'
import type { Cluster } from '../../pve/cluster.js'
import { InvalidInputError } from '../errors.js'
import type { InstallDeps } from './deps.js'
import { ipForVmid } from './ip-address.js'
import type { InstallRequest } from './request.js'

/** True for the seed's scheme: the address follows the VMID. */
export function isSeedNetwork(network: VmNetwork): boolean {
  return network.ipv4.mode === 'seed'
}

/** The request's network (400 naming `network` when there is none of that name), else the first. */
export function chooseNetwork(
  deps: Pick<InstallDeps, 'networks'>,
  request: InstallRequest,
): VmNetwork {
  const { networks } = deps.networks
  const wanted = request.network
  const found =
    wanted === undefined ? networks[0] : networks.find((network) => network.name === wanted)
  if (found !== undefined) return found
  const known = networks.map((network) => network.name).join(', ')
  throw new InvalidInputError(
    'network',
    wanted === undefined
      ? 'no network is configured'
      : `no network named "${wanted}"; known: ${known}`,
  )
}

/**
 * The VMID an install asks for: `id`, or on the seed's network the last octet of `ip` (there the
 * address and the VMID are one). `ip` is checked as far as the request alone tells: an address,
 * not on a DHCP network, on the seed's network inside its /24 range and matching `id`. Whether
 * a pool address is free is the address book's answer, when it is held.
 */
export function requestedVmid(network: VmNetwork, request: InstallRequest): number | undefined {
  const { ip, id } = request
  if (ip === undefined) return id
  if (isIP(ip) === 0) throw new InvalidInputError('ip', `"${ip}" is not an IPv4 or IPv6 address`)
  const v4 = network.ipv4
  if (v4.mode === 'dhcp' && isIPv4(ip))
    throw new InvalidInputError(
      'ip',
      `network ${network.name} takes its IPv4 address from DHCP; leave ip out`,
    )
  if (!isIPv4(ip) && network.ipv6?.mode !== 'static')
    throw new InvalidInputError('ip', `network ${network.name} has no IPv6 pool to take ${ip} from`)
  if (v4.mode !== 'seed') {
    const family = isIPv4(ip) ? v4 : network.ipv6
    const address = parseIpAddress(ip)
    // whether it is free is the address book's answer; outside the pool it never is
    if (family?.mode === 'static' && address !== undefined && !poolOf(family).contains(address))
      throw new InvalidInputError('ip', `${ip} is not in the pool of network ${network.name}`)
    return id
  }
  const octet = Number(ip.split('.')[3])
  const expected = ipForVmid(v4.gateway, octet)
  if (!isIPv4(ip) || expected !== ip || octet < v4.ipStart || octet > v4.ipEnd)
    throw new InvalidInputError(
      'ip',
      `on network ${network.name} an address is ${ipForVmid(v4.gateway, v4.ipStart)} to ${ipForVmid(v4.gateway, v4.ipEnd)}, its last number the VMID`,
    )
  if (id !== undefined && id !== octet)
    throw new InvalidInputError(
      'ip',
      `on network ${network.name} the address follows the VMID: VM ${id} gets ${ipForVmid(v4.gateway, id)}, not ${ip}`,
    )
  return octet
}

/** The VMIDs installs on `network` take: ASSIGN_IP_START..END for the seed's, else VMID_START..END. */
export function vmidRange(
  deps: Pick<InstallDeps, 'networks'>,
  network: VmNetwork,
): { start: number; end: number; names: string } {
  const v4 = network.ipv4
  if (v4.mode === 'seed')
    return { start: v4.ipStart, end: v4.ipEnd, names: 'ASSIGN_IP_START..ASSIGN_IP_END' }
  return {
    start: deps.networks.vmidStart,
    end: deps.networks.vmidEnd,
    names: 'VMID_START..VMID_END',
  }
}

/**
 * Before anything is created: each node the VM is made on or moved to has the network's bridge
 * (`GET /nodes/{node}/network`), and a VLAN tag is 1..4094 on a VLAN-aware bridge. Proxmox
 * itself would only fail at `qm start` (`bridge 'vmbr9' does not exist`) or, for a tag on a
 * bridge that is not VLAN-aware, start the VM untagged. Refusals are 400s naming `network`.
 * Only networks of NETWORKS_FILE are checked: the seed's vmbr0 never was.
 */
export async function checkBridges(
  deps: Pick<InstallDeps, 'networks'> & { cluster: Pick<Cluster, 'nodeBridges'> },
  network: VmNetwork,
  nodes: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  if (!deps.networks.fromFile) return
  const { vlan, bridge } = network
  if (vlan !== undefined && (!Number.isInteger(vlan) || vlan < 1 || vlan > 4094))
    throw new InvalidInputError(
      'network',
      `network ${network.name}: VLAN tag ${vlan} is not 1..4094`,
    )
  for (const node of new Set(nodes)) {
    const bridges = await deps.cluster.nodeBridges(node, signal === undefined ? {} : { signal })
    const found = bridges.find((entry) => entry.iface === bridge)
    if (found === undefined)
      throw new InvalidInputError(
        'network',
        `network ${network.name}: node ${node} has no bridge ${bridge}`,
      )
    // qemu-server's start reads the bridge's MTU from sysfs: a bridge that is down fails it too
    if (!found.active)
      throw new InvalidInputError(
        'network',
        `network ${network.name}: bridge ${bridge} on ${node} is not active`,
      )
    if (vlan !== undefined && !found.vlanAware)
      throw new InvalidInputError(
        'network',
        `network ${network.name}: VLAN ${vlan} needs a VLAN-aware bridge, and ${bridge} on ${node} is not VLAN-aware (bridge-vlan-aware)`,
      )
  }
}

/** The `net0` of a VM on `network`: `virtio,bridge=vmbr0[,tag=10][,mtu=9000][,firewall=1]`. */
export function net0Of(network: VmNetwork): string {
  return [
    `virtio,bridge=${network.bridge}`,
    ...(network.vlan === undefined ? [] : [`tag=${network.vlan}`]),
    ...(network.mtu === undefined ? [] : [`mtu=${network.mtu}`]),
    ...(network.firewall ? ['firewall=1'] : []),
  ].join(',')
}

/**
 * The `ipconfig0` of a VM on `network` with the addresses it holds: `ip=<a>/<len>,gw=<g>` (or
 * `ip=dhcp`), then `ip6=<a6>/<len6>[,gw6=<g6>]` (or `ip6=auto|dhcp`) — qemu-server's ipconfig
 * format (PVE/QemuServer/Cloudinit.pm).
 */
export function ipconfig0Of(
  network: VmNetwork,
  held: { ipv4?: string | undefined; ipv6?: string | undefined },
): string {
  const parts: string[] = []
  const v4 = network.ipv4
  if (v4.mode === 'dhcp') parts.push('ip=dhcp')
  else {
    const length = v4.mode === 'seed' ? 24 : v4.prefixLength
    // a dry-run plan shows the placeholder: the pool decides when the install holds it
    const address = held.ipv4 === undefined || held.ipv4 === '' ? '<next-free>' : held.ipv4
    parts.push(`ip=${address}/${length}`, `gw=${v4.gateway}`)
  }
  const v6 = network.ipv6
  if (v6?.mode === 'static') {
    parts.push(`ip6=${held.ipv6 ?? '<next-free>'}/${v6.prefixLength}`)
    if (v6.gateway !== undefined) parts.push(`gw6=${v6.gateway}`)
  } else if (v6?.mode === 'slaac') parts.push('ip6=auto')
  else if (v6?.mode === 'dhcp') parts.push('ip6=dhcp')
  return parts.join(',')
}

/** The families a VM on `network` learns at boot (only its guest agent can tell them). */
export function dynamicFamilies(network: VmNetwork): { ipv4: boolean; ipv6: boolean } {
  return {
    ipv4: network.ipv4.mode === 'dhcp',
    ipv6: network.ipv6 !== undefined && network.ipv6.mode !== 'static',
  }
}
