import type { PveConfig, SimConfig } from '../config.js'
import { quote } from '../env-reader.js'
import type { EnvReader } from '../env-reader.js'
import { nodeNamePattern, nodeNameRule, storageIdPattern } from '../patterns.js'

/** Reads the simulator's settings and checks they agree with the cluster section. */
export function readSimSection(env: EnvReader, pve: PveConfig): SimConfig {
  const speed = env.decimal('SIM_SPEED', 0, 10) ?? 0.25
  const nodes = readSimNodes(env)
  if (nodes !== undefined && pve.nodes.length > 0) {
    env.problem(
      'SIM_NODES',
      'cannot be combined with NODE_<name> variables: the simulator then uses the NODE_ names',
    )
  }
  const simulated = nodes ?? pve.nodes.map((node) => node.name)
  const { mainNode } = pve
  if (pve.simulated && mainNode !== undefined && simulated.length > 0) {
    if (!simulated.includes(mainNode)) {
      env.problem(
        'MAIN_NODE',
        `must be one of the simulated nodes (${simulated.join(', ')}), got ${quote(mainNode)}`,
      )
    }
  }
  const cliStartupMs = env.integer('SIM_CLI_STARTUP_MS', { min: 0, max: 60_000, unit: 'ms' }) ?? 0
  const proxyTimeoutMs =
    env.integer('SIM_PROXY_TIMEOUT_MS', { min: 0, max: 600_000, unit: 'ms' }) ?? 30_000
  const sharedStorage = env.matching(
    'SIM_SHARED_STORAGE',
    storageIdPattern,
    'a Proxmox storage id (lower-case letters, digits, "-", "_" and "."), such as nfs-shared',
  )
  if (sharedStorage === 'local' || sharedStorage === 'local-lvm')
    env.problem('SIM_SHARED_STORAGE', `must not be ${quote(sharedStorage)}: every node has its own`)
  return { speed, nodes, cliStartupMs, proxyTimeoutMs, sharedStorage }
}

function readSimNodes(env: EnvReader): string[] | undefined {
  const entries = env.list('SIM_NODES')
  if (entries === undefined) return undefined
  const seen = new Set<string>()
  for (const entry of entries) {
    if (!nodeNamePattern.test(entry)) {
      env.problem('SIM_NODES', `entry ${quote(entry)} must be ${nodeNameRule}`)
    } else if (seen.has(entry)) {
      env.problem('SIM_NODES', `lists ${quote(entry)} twice`)
    }
    seen.add(entry)
  }
  return entries
}
