import type { LifecycleDeps } from './deps.js'
import { networkOfConfig } from './network-of-config.js'
import type { AddressReaders } from './vm-addresses.js'

/** How the lifecycle learns a VM's dynamic addresses (the guest agent) and names its network. */
export function addressReadersOf(
  deps: Pick<LifecycleDeps, 'cluster' | 'networks'>,
): AddressReaders {
  const { cluster, networks } = deps
  return {
    agent: (node, vmid, options) => cluster.guestInterfaces(node, vmid, options),
    networkOf: (config) => networkOfConfig(config, networks.networks),
  }
}
