import type { SimNode, SimVm } from '../state/types.js'
import { bridgeOf, netKeys } from './guest-nics.js'

/**
 * What `qm start` checks of a VM's NICs on the node it starts on, as qemu-server builds the
 * QEMU command line (PVE/QemuServer.pm print_netdevice_full): a virtio NIC on a bridge reads the
 * bridge's MTU from /sys/class/net (pve-common PVE/Network.pm read_bridge_mtu, which dies with
 * `bridge '<name>' does not exist`), and its `mtu=` must fit (576 up to the bridge's MTU). Other
 * NIC models meet the same read in the `pve-bridge` script that plugs the tap device in; the
 * start fails with the same words. A bridge that is defined but not up has no /sys entry either.
 * Returns the warnings to print; throws the task error.
 */
export function checkVmBridges(vm: SimVm, node: SimNode): string[] {
  const warnings: string[] = []
  for (const key of netKeys(vm.config)) {
    const value = vm.config[key] ?? ''
    const { bridge } = bridgeOf(value)
    const model = value.split('=')[0] ?? ''
    const mtuText = /(?:^|,)mtu=(\d+)/.exec(value)?.[1]
    if (bridge === undefined) {
      if (mtuText !== undefined)
        warnings.push(
          `WARN: netdev ${key}: ignoring MTU '${mtuText}', not using VirtIO or no bridge configured.`,
        )
      continue
    }
    const found = node.bridges.find((b) => b.iface === bridge && b.active)
    if (found === undefined) throw new Error(`bridge '${bridge}' does not exist`)
    if (mtuText === undefined) continue
    const mtu = Number(mtuText)
    if (model !== 'virtio') {
      warnings.push(
        `WARN: netdev ${key}: ignoring MTU '${mtu}', not using VirtIO or no bridge configured.`,
      )
    } else if (mtu !== 1 && mtu < 576) {
      throw new Error(`netdev ${key}: MTU '${mtu}' is smaller than the IP minimum MTU '576'`)
    } else if (mtu !== 1 && mtu > found.mtu) {
      throw new Error(`netdev ${key}: MTU '${mtu}' is bigger than the bridge MTU '${found.mtu}'`)
    }
  }
  return warnings
}

/** The bridges a VM's NICs name that `node` lacks (for a migration's target). */
export function missingBridges(vm: SimVm, node: SimNode): string[] {
  const missing = new Set<string>()
  for (const key of netKeys(vm.config)) {
    const { bridge } = bridgeOf(vm.config[key] ?? '')
    if (bridge !== undefined && !node.bridges.some((b) => b.iface === bridge && b.active))
      missing.add(bridge)
  }
  return [...missing]
}
