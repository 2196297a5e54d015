import type { VmNetwork } from '../vm-network.js'
import { FieldReader, isFileObject, shown } from './field-reader.js'
import { readIpv4 } from './read-ipv4.js'
import { readIpv6 } from './read-ipv6.js'
import type { ValueRange } from './read-pool.js'

/** One network as read, with what the checks across networks need. */
export interface ReadNetwork {
  network: VmNetwork
  /** where the problems about it say it is (`network "lan"`) */
  where: string
  ipv4Span: readonly ValueRange[]
  ipv6Span: readonly ValueRange[]
}

const networkKeys = [
  'name',
  'bridge',
  'vlan',
  'mtu',
  'firewall',
  'description',
  'mode',
  'cidr',
  'gateway',
  'pool',
  'dns',
  'ipv6',
] as const

/** Names an install request can carry: lower case, digits, `-`, `_`, `.`, up to 64. */
const namePattern = /^[a-z0-9][a-z0-9._-]{0,63}$/
/** A Linux interface name (IFNAMSIZ: 15 characters), as Proxmox bridges are named. */
const bridgePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/

/**
 * Reads one entry of `networks`; reports each problem through `report` and returns undefined
 * when any was found. `index` counts from 0 and names an entry whose name is unusable.
 */
export function readNetwork(
  entry: unknown,
  index: number,
  simulated: boolean,
  report: (line: string) => void,
): ReadNetwork | undefined {
  if (!isFileObject(entry)) {
    report(`network #${index + 1}: must be a mapping of keys, got ${shown(entry)}`)
    return undefined
  }
  const rawName = entry.name
  const where =
    typeof rawName === 'string' && rawName.trim() !== ''
      ? `network ${JSON.stringify(rawName.trim())}`
      : `network #${index + 1}`
  let problems = 0
  const reader = new FieldReader(entry, where, (line) => {
    problems++
    report(line)
  })
  reader.onlyKeys(networkKeys)
  const name = reader.text('name', { required: true })
  if (name !== undefined && !namePattern.test(name)) {
    reader.problem(
      'name',
      `must be lower-case letters, digits, ".", "_" or "-" (up to 64), got "${name}"`,
    )
  }
  const bridge = reader.text('bridge', { required: true })
  if (bridge !== undefined && !bridgePattern.test(bridge)) {
    reader.problem(
      'bridge',
      `must be a bridge name such as vmbr0 (up to 15 characters), got "${bridge}"`,
    )
  }
  const vlan = reader.integer('vlan', 1, 4094)
  const mtu = readMtu(reader, reader.has('ipv6'))
  const firewall = reader.boolean('firewall') ?? false
  const description = reader.text('description', { required: false })
  const ipv4 = readIpv4(reader, simulated)
  const ipv6Object = reader.object('ipv6')
  const ipv6 =
    ipv6Object === undefined
      ? undefined
      : readIpv6(
          new FieldReader(ipv6Object, `${where} ipv6`, (line) => {
            problems++
            report(line)
          }),
          simulated,
        )
  if (problems > 0 || name === undefined || bridge === undefined || ipv4 === undefined) {
    return undefined
  }
  if (ipv6Object !== undefined && ipv6 === undefined) return undefined
  const network: VmNetwork = {
    name,
    bridge,
    firewall,
    ipv4: ipv4.ipv4,
    ...(vlan === undefined ? {} : { vlan }),
    ...(mtu === undefined ? {} : { mtu }),
    ...(ipv6 === undefined ? {} : { ipv6: ipv6.ipv6 }),
    ...(description === undefined ? {} : { description }),
  }
  return { network, where, ipv4Span: ipv4.span, ipv6Span: ipv6?.span ?? [] }
}

/**
 * `mtu` of the VM's NIC: Proxmox takes 1..65520, 1 meaning the bridge's MTU (qemu-server
 * src/PVE/QemuServer/Network.pm, `$net_fmt`); IPv6 needs a link MTU of at least 1280 (RFC 8200).
 */
function readMtu(reader: FieldReader, ipv6: boolean): number | undefined {
  const mtu = reader.integer('mtu', 1, 65520)
  if (mtu !== undefined && ipv6 && mtu !== 1 && mtu < 1280) {
    reader.problem(
      'mtu',
      `must be at least 1280 on a network with IPv6 (or 1, the bridge's), got ${mtu}`,
    )
    return undefined
  }
  return mtu
}
