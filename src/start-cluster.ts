import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Config } from './config/index.js'
import { createLocalExecutor, createSshExecutor, type Executor } from './exec/index.js'
import {
  connectApiDriver,
  createApiDriver,
  requiredPrivileges,
  type TlsTrust,
} from './pve/drivers/api/index.js'
import {
  createCliDriver,
  createCommandCounter,
  type CommandCounter,
} from './pve/drivers/cli/index.js'
import type { Cluster } from './pve/cluster.js'
import { PveError } from './pve/errors.js'
import { withSharedReads } from './pve/shared-reads.js'
import { startEmbeddedCli } from './sim/faces/cli/index.js'
import { startSimRestFace, type SimRestFace } from './sim/faces/rest/index.js'
import { createSimulator, type Simulator } from './sim/index.js'
import { createInProcessTransport } from './sim/faces/in-process-transport.js'

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
  switch (config.pve.driver) {
    case 'sim': {
      const simulator = await startEmbeddedSimulator(config)
      const cluster = createApiDriver({
        transport: createInProcessTransport(simulator),
        description: `simulated cluster (nodes ${simulator.nodes.join(', ')}; main ${simulator.mainNode}; speed ${config.sim.speed})`,
        // in-process task polls cost nothing; keep event latency low
        taskPollMs: 50,
      })
      return { cluster, simulator, close: () => simulator.close() }
    }
    case 'cli':
      return config.pve.simulated
        ? startCliOnSimulator(config, log)
        : startCliOnCluster(config, log)
    case 'api':
      return config.pve.simulated
        ? startApiOnSimulator(config, log)
        : startApiOnCluster(config, log)
  }
}

const silentLog: ClusterLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
}

async function startEmbeddedSimulator(config: Config): Promise<Simulator> {
  const nodeNames = simulatedNodeNames(config)
  return createSimulator({
    dataDir: config.dataDir,
    speed: config.sim.speed,
    gateway: config.network.gateway,
    ...(nodeNames === undefined
      ? {}
      : {
          nodes: nodeNames.map((name, index) => ({
            name,
            ip: simulatedNodeIp(config, name, index),
          })),
        }),
    ...(config.pve.mainNode === undefined ? {} : { mainNode: config.pve.mainNode }),
  })
}

/**
 * The api driver over HTTPS against the simulator's REST face, with a token holding exactly the
 * privileges the README documents: what a real cluster would see, on loopback.
 */
async function startApiOnSimulator(config: Config, log: ClusterLog): Promise<StartedCluster> {
  const simulator = await startEmbeddedSimulator(config)
  const tokenId = 'pve-qemu@pve!simulator'
  const secret = randomUUID()
  const privileges = requiredPrivileges.map((entry) => entry.privilege)
  const face = await startSimRestFace({
    sim: simulator,
    speed: config.sim.speed,
    tokens: [{ id: tokenId, secret, privileges }],
  })
  try {
    const api = await connectApiDriver({
      url: face.url,
      tokenId,
      tokenSecret: { reveal: () => secret },
      tls: { kind: 'fingerprint', sha256: face.fingerprint256 },
      log,
      retry: { baseDelayMs: 500 * Math.max(config.sim.speed, 0.02) },
      taskPollMs: 50,
      description: `api driver over HTTPS to the simulated cluster at ${face.url} as ${tokenId} (nodes ${simulator.nodes.join(', ')}; speed ${config.sim.speed})`,
    })
    return {
      cluster: api.cluster,
      simulator,
      restFace: face,
      async close() {
        await api.close()
        await face.close()
        await simulator.close()
      },
    }
  } catch (error) {
    await face.close()
    await simulator.close()
    throw error
  }
}

/** The api driver on a real cluster: `PVE_API_URL` with the configured token and trust. */
async function startApiOnCluster(config: Config, log: ClusterLog): Promise<StartedCluster> {
  const { url, tokenId, tokenSecret } = config.pveApi
  if (url === undefined || tokenId === undefined || tokenSecret === undefined) {
    throw new PveError('failed', 'PVE_API_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET are needed')
  }
  const api = await connectApiDriver({ url, tokenId, tokenSecret, tls: tlsTrust(config), log })
  return { cluster: api.cluster, close: () => api.close() }
}

function tlsTrust({ pveApi }: Config): TlsTrust {
  if (pveApi.caFile !== undefined) return { kind: 'ca', ca: readFileSync(pveApi.caFile, 'utf8') }
  if (pveApi.tlsFingerprint !== undefined)
    return { kind: 'fingerprint', sha256: pveApi.tlsFingerprint }
  return pveApi.tlsInsecure ? { kind: 'insecure' } : { kind: 'system' }
}

/** The real cli driver against the simulator, through the fake qm/pvesh/pvesm on its PATH. */
async function startCliOnSimulator(config: Config, log: ClusterLog): Promise<StartedCluster> {
  const simulator = await startEmbeddedSimulator(config)
  const cli = await startEmbeddedCli(simulator, {
    socketPath: join(config.dataDir, 'pve-sim.sock'),
    startupCostMs: config.sim.cliStartupMs,
  })
  const commandCounter = createCommandCounter()
  const cluster = createCliDriver({
    mainNode: simulator.mainNode,
    executorFor: cli.executorFor,
    log,
    counter: commandCounter,
    description: `cli driver on the simulated cluster's fake qm/pvesh/pvesm (nodes ${simulator.nodes.join(', ')}; speed ${config.sim.speed})`,
  })
  return {
    cluster,
    simulator,
    commandCounter,
    async close() {
      await cli.close()
      await simulator.close()
    },
  }
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

function simulatedNodeNames(config: Config): readonly string[] | undefined {
  if (config.pve.nodes.length > 0) return config.pve.nodes.map((node) => node.name)
  return config.sim.nodes
}

function simulatedNodeIp(config: Config, name: string, index: number): string {
  return config.pve.nodes.find((node) => node.name === name)?.ip ?? `127.0.1.${index + 1}`
}
