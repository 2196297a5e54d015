import type { NetworkConfig, PveConfig } from '../config.js'
import { quote } from '../env-reader.js'
import type { EnvReader } from '../env-reader.js'

const simGateway = '127.0.0.1'

/** Reads the VM address plan: the gateway's /24, last octet from start to end. */
export function readNetworkSection(env: EnvReader, pve: PveConfig): NetworkConfig {
  const { driver } = pve
  const gatewaySet = env.text('GATEWAY') !== undefined
  const gateway = env.ipv4('GATEWAY')
  if (!gatewaySet && !pve.simulated) {
    env.problem(
      'GATEWAY',
      `is required when PVE_DRIVER is ${driver}: the IPv4 gateway of the VMs' network`,
    )
  }
  // Simulated guests answer on this host; a real-looking gateway would send SSH elsewhere.
  if (gateway !== undefined && pve.simulated && !gateway.startsWith('127.')) {
    env.problem(
      'GATEWAY',
      `must be a loopback address (127.x.x.x) while the simulator runs, got ${quote(gateway)}`,
    )
  }

  const ipStart = env.integer('ASSIGN_IP_START', { min: 100, max: 254 }) ?? 100
  const ipEnd = env.integer('ASSIGN_IP_END', { min: 100, max: 254 }) ?? 254
  if (ipEnd < ipStart) {
    env.problem(
      'ASSIGN_IP_END',
      `must be at least ASSIGN_IP_START (${ipStart}), got ${quote(String(ipEnd))}`,
    )
  }
  return { gateway: gateway ?? simGateway, ipStart, ipEnd }
}
