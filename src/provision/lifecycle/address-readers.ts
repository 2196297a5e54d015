import type { LifecycleDeps } from './deps.js'
import type { AddressReaders } from './vm-addresses.js'

/** How the lifecycle learns a VM's dynamic addresses (the guest agent) and names its network. */
export function addressReadersOf(deps: Pick<LifecycleDeps, 'cluster'>): AddressReaders {
  const { cluster } = deps
  return {
    agent: (node, vmid, options) => cluster.guestInterfaces(node, vmid, options),
  }
}
