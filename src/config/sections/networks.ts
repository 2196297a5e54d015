import { resolve } from 'node:path'
import type { NetworkConfig, PveConfig } from '../config.js'
import type { EnvReader } from '../env-reader.js'
import { readNetworksFile } from '../networks/read-networks-file.js'
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

/** Default VMID range of installs on a network of the file: clear of the seed's 100..254 and
 * of the templates' 9000..9099. */
const defaultVmids = { start: 1000, end: 8999 }

/**
 * Reads the networks VMs are installed on: `NETWORKS_FILE` when set (one problem line per
 * mistake in it, naming the network and field), else the seed's implicit network; the VMID
 * range of the file's networks (`VMID_START..VMID_END`) and `IP_PROBE`.
 */
export function readNetworksSection(
  env: EnvReader,
  network: NetworkConfig,
  pve: PveConfig,
  cwd: string,
): NetworksConfig {
  const probe = env.oneOf('IP_PROBE', ['ping', 'off'] as const) ?? 'ping'
  const vmidStart = env.integer('VMID_START', { min: 100, max: 999_999_999 }) ?? defaultVmids.start
  const vmidEnd = env.integer('VMID_END', { min: 100, max: 999_999_999 }) ?? defaultVmids.end
  if (vmidEnd < vmidStart) {
    env.problem('VMID_END', `must be at least VMID_START (${vmidStart}), got ${vmidEnd}`)
  }
  const fileText = env.text('NETWORKS_FILE')
  const vmids = { vmidStart, vmidEnd, probe }
  if (fileText === undefined) {
    return { networks: [seedNetwork(network)], ...vmids, fromFile: false }
  }
  const file = resolve(cwd, fileText)
  const networks = readNetworksFile(file, pve.simulated, (line) =>
    env.problem('NETWORKS_FILE', line),
  )
  return { networks: networks ?? [], ...vmids, fromFile: true, file }
}
