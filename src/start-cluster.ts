import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { Config } from './config/index.js'
import { createLocalExecutor, createSshExecutor, type Executor } from './exec/index.js'
import { connectApiDriver, type TlsTrust } from './pve/drivers/api/index.js'
import {
  createCliDriver,
  createCommandCounter,
  type CommandCounter,
} from './pve/drivers/cli/index.js'
import type { Cluster } from './pve/cluster.js'
import { PveError } from './pve/errors.js'
import { withSharedReads } from './pve/shared-reads.js'
import type { SimRestFace } from './sim/faces/rest/index.js'
import type { Simulator } from './sim/index.js'

/** The logger the drivers write their command accounting to. */
export interface ClusterLog {
  debug(object: object, message: string): void
  info(object: object, message: string): void
  warn(object: object, message: string): void
}

export interface StartedCluster {
  cluster: Cluster
  /** the embedded simulator, when the configuration drives one */
  simulator?: Simulator
  /** commands run per tool and subcommand, for the cli driver */
  commandCounter?: CommandCounter
  /** the simulator's HTTPS face the api driver talks to (its request count is the round trips) */
  restFace?: SimRestFace
  close(): Promise<void>
}

/**
 * Part of the composition root: turns the configured driver into a running Cluster. The
 * embedded simulator runs only when config says so (`pve.simulated`: the `sim` driver, or the
 * real `cli`/`api` drivers with no real cluster named), never by accident.
 */
export async function startCluster(
  config: Config,
  log: ClusterLog = silentLog,
): Promise<StartedCluster> {
  const started = await startDriver(config, log)
  // 200 dashboards polling the list cost one Proxmox read, not 200
  return { ...started, cluster: withSharedReads(started.cluster, { ttlMs: sharedReadTtlMs }) }
}

/** How long a read of /cluster/resources is shared; Proxmox's own list lags up to 10 s. */
const sharedReadTtlMs = 1000

async function startDriver(config: Config, log: ClusterLog): Promise<StartedCluster> {
  if (config.pve.simulated) {
    // the only way into src/sim: a production configuration never loads the simulator
    const { startSimulatedCluster } = await import('./start-simulated.js')
    return startSimulatedCluster(config, log)
  }
  switch (config.pve.driver) {
    case 'cli':
      return startCliOnCluster(config, log)
    case 'api':
      return startApiOnCluster(config, log)
    case 'sim':
      throw new PveError('failed', 'PVE_DRIVER=sim is the simulator, and this configuration is not')
  }
}

const silentLog: ClusterLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
}

/** Retries of failed API calls on a real cluster: fixed, whatever SIM_* says. */
export const apiRetry = { baseDelayMs: 500 } as const

/** The api driver on a real cluster: `PVE_API_URL` with the configured token and trust. */
async function startApiOnCluster(config: Config, log: ClusterLog): Promise<StartedCluster> {
  const { url, tokenId, tokenSecret } = config.pveApi
  if (url === undefined || tokenId === undefined || tokenSecret === undefined) {
    throw new PveError('failed', 'PVE_API_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET are needed')
  }
  const api = await connectApiDriver({
    url,
    tokenId,
    tokenSecret,
    tls: tlsTrust(config),
    log,
    retry: apiRetry,
  })
  return { cluster: api.cluster, close: () => api.close() }
}

function tlsTrust({ pveApi }: Config): TlsTrust {
  if (pveApi.caFile !== undefined) return { kind: 'ca', ca: readFileSync(pveApi.caFile, 'utf8') }
  if (pveApi.tlsFingerprint !== undefined)
    return { kind: 'fingerprint', sha256: pveApi.tlsFingerprint }
  return pveApi.tlsInsecure ? { kind: 'insecure' } : { kind: 'system' }
}

/** The cli driver on a real cluster: local tools on the main node, root SSH to the others. */
async function startCliOnCluster(config: Config, log: ClusterLog): Promise<StartedCluster> {
  const mainNode = config.pve.mainNode ?? ''
  const privateKey = readFileSync(config.pve.sshKeyFile, 'utf8')
  const pins = createNodeKeyPins(join(config.dataDir, 'ssh', 'node-host-keys.json'))
  const local = createLocalExecutor()
  const remote = new Map<string, Executor>()
  for (const node of config.pve.nodes) {
    if (node.name === mainNode) continue
    const pinned = pins.get(node.name)
    remote.set(
      node.name,
      createSshExecutor({
        host: node.ip,
        privateKey,
        hostKey: {
          ...(pinned === undefined ? {} : { pinned }),
          onFirstContact: (fingerprint) => {
            pins.set(node.name, fingerprint)
            log.info({ node: node.name, fingerprint }, 'recorded the host key of a node')
          },
        },
      }),
    )
  }
  const executorFor = (node: string): Executor => {
    if (node === mainNode) return local
    const executor = remote.get(node)
    if (executor === undefined)
      throw new PveError('node', `no address for node ${node}: set NODE_${node}`)
    return executor
  }
  const commandCounter = createCommandCounter()
  const cluster = createCliDriver({
    mainNode,
    executorFor,
    log,
    counter: commandCounter,
    // the ssh key files qm reads on this node: private to the service, removed after each use
    keyFileDir: resolve(config.dataDir, 'tmp'),
    description: `Proxmox cluster through qm/pvesh/pvesm on ${mainNode} (${config.pve.nodes.length} nodes)`,
  })
  return {
    cluster,
    commandCounter,
    async close() {
      await Promise.all([local, ...remote.values()].map((executor) => executor.close()))
    },
  }
}

/** Node host key fingerprints recorded on first contact, kept in a JSON file. */
function createNodeKeyPins(path: string): {
  get(node: string): string | undefined
  set(node: string, fingerprint: string): void
} {
  let pins: Record<string, string> = {}
  try {
    pins = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>
  } catch {
    // first contact with every node
  }
  return {
    get: (node) => pins[node],
    set(node, fingerprint) {
      pins = { ...pins, [node]: fingerprint }
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      writeFileSync(`${path}.tmp`, JSON.stringify(pins, null, 2), { mode: 0o600 })
      renameSync(`${path}.tmp`, path)
    },
  }
}
