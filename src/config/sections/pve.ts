import type { PveConfig, PveDriverName } from '../config.js'
import type { EnvReader } from '../env-reader.js'
import { nodeNamePattern, nodeNameRule, storageIdPattern } from '../patterns.js'
import { readNodeVariables } from './node-variables.js'

const drivers: readonly PveDriverName[] = ['sim', 'cli', 'api']

/**
 * Reads the cluster section. The simulator is the default only while no `MAIN_NODE` is set, so
 * a configuration written for a real cluster never lands on the simulator by accident.
 */
export function readPveSection(env: EnvReader): PveConfig {
  const mainNodeSet = env.text('MAIN_NODE') !== undefined
  const mainNode = env.matching('MAIN_NODE', nodeNamePattern, nodeNameRule)
  const driver = env.oneOf('PVE_DRIVER', drivers) ?? (mainNodeSet ? 'cli' : 'sim')
  // MAIN_NODE names a real cluster. Without it, cli and api drive the embedded simulator
  // through its fake tools or its HTTPS face: the real drivers, with nothing real behind them.
  // With it, api needs the cluster's address: guessing "the simulator" would put a real
  // deployment on a pretend cluster.
  const apiUrlSet = env.text('PVE_API_URL') !== undefined
  if (driver === 'api' && mainNodeSet && !apiUrlSet) {
    env.problem(
      'PVE_API_URL',
      'is required with PVE_DRIVER=api and MAIN_NODE (a real cluster): https://<node>:8006; unset MAIN_NODE to try the api driver on the simulator',
    )
  }
  const simulated = driver === 'sim' || (!mainNodeSet && !(driver === 'api' && apiUrlSet))
  const storage =
    env.matching(
      'ASSIGN_STORAGE',
      storageIdPattern,
      'a Proxmox storage id (lower-case letters, digits, "-", "_" and "."), such as local-lvm',
    ) ?? 'local-lvm'
  const sshKeyFile = env.text('PVE_SSH_KEY') ?? '/root/.ssh/id_rsa'
  return { driver, mainNode, nodes: readNodeVariables(env), storage, simulated, sshKeyFile }
}
