import type { NetworkConfig } from '../config.js'
import type { EnvReader } from '../env-reader.js'
import type { NetworksConfig, VmNetwork } from '../vm-network.js'

/** The seed's one network: vmbr0, the gateway's /24, the address following the VMID. */
export function seedNetwork(network: NetworkConfig): VmNetwork {
  return {
    name: 'default',
    bridge: 'vmbr0',
    firewall: false,
    ipv4: {
      mode: 'seed',
      gateway: network.gateway,
      ipStart: network.ipStart,
      ipEnd: network.ipEnd,
    },
  }
}

/**
 * Reads the networks VMs are installed on: `NETWORKS_FILE` when set, else the seed's implicit
 * network; the VMID range of non-seed networks (`VMID_START..VMID_END`) and `IP_PROBE`.
 */
export function readNetworksSection(env: EnvReader, network: NetworkConfig): NetworksConfig {
  return {
    networks: [seedNetwork(network)],
    vmidStart: 1000,
    vmidEnd: 8999,
    probe: env.oneOf('IP_PROBE', ['ping', 'off'] as const) ?? 'ping',
    fromFile: false,
  }
}
