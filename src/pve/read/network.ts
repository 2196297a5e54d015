import type { GuestAddress, GuestInterface, NodeBridge } from '../cluster.js'
import {
  asArray,
  asObject,
  isObject,
  optionalNumber,
  optionalString,
  requiredString,
} from './json-values.js'

/**
 * Reads `GET /nodes/{node}/network?type=any_bridge` (pve-manager PVE/API2/Network.pm): Linux
 * bridges (`type: bridge`, `bridge_vlan_aware: 1` when VLAN-aware) and OVS bridges (always
 * VLAN-capable). Other interface types in the answer are left out.
 */
export function readNodeBridges(data: unknown): NodeBridge[] {
  const bridges: NodeBridge[] = []
  for (const item of asArray(data, 'network list')) {
    const entry = asObject(item, 'network entry')
    const type = optionalString(entry, 'type')
    if (type !== 'bridge' && type !== 'OVSBridge') continue
    bridges.push({
      iface: requiredString(entry, 'iface'),
      type,
      vlanAware: type === 'OVSBridge' || optionalNumber(entry, 'bridge_vlan_aware') === 1,
      active: optionalNumber(entry, 'active') === 1,
    })
  }
  return bridges.sort((a, b) => a.iface.localeCompare(b.iface))
}

/**
 * Reads the guest agent's `network-get-interfaces` answer: the REST form `{"result": [...]}`
 * or the bare list `qm guest cmd` prints (qemu-server PVE/CLI/qm.pm prints `result` only).
 */
export function readGuestInterfaces(data: unknown): GuestInterface[] {
  const list = isObject(data) && 'result' in data ? data.result : data
  return asArray(list, 'network-get-interfaces result').map((item) => {
    const entry = asObject(item, 'guest interface')
    const mac = optionalString(entry, 'hardware-address')
    const raw = entry['ip-addresses'] === undefined ? [] : entry['ip-addresses']
    const addresses: GuestAddress[] = []
    for (const rawAddress of asArray(raw, 'ip-addresses')) {
      const address = asObject(rawAddress, 'ip-address entry')
      const family = optionalString(address, 'ip-address-type')
      if (family !== 'ipv4' && family !== 'ipv6') continue
      addresses.push({
        address: requiredString(address, 'ip-address'),
        family,
        prefix: optionalNumber(address, 'prefix') ?? (family === 'ipv4' ? 32 : 128),
      })
    }
    return {
      name: requiredString(entry, 'name'),
      ...(mac === undefined ? {} : { mac: mac.toLowerCase() }),
      addresses,
    }
  })
}
