import { randomUUID } from 'node:crypto'
import { join, resolve } from 'node:path'
import type { Config } from './config/index.js'
import type { Logger } from 'pino'
import type { AddressProbe } from './networks/index.js'
import { ipForVmid } from './provision/install/ip-address.js'
import { connectApiDriver, createApiDriver, requiredPrivileges } from './pve/drivers/api/index.js'
import { createCliDriver, createCommandCounter } from './pve/drivers/cli/index.js'
import { startEmbeddedCli } from './sim/faces/cli/index.js'
import { startSimRestFace } from './sim/faces/rest/index.js'
import { createInProcessTransport } from './sim/faces/in-process-transport.js'
import { startSimGuests, type SimGuests } from './sim/guests/index.js'
import { startSimImageServer, type SimImageServer } from './sim/images/sim-image-server.js'
import { createSimulatedPing, createSimulator, timings, type Simulator } from './sim/index.js'
import type { ClusterLog, StartedCluster } from './start-cluster.js'
import { guestPollMs, storageLockRetry } from './start-install-services.js'
import type { Mirrors } from './images/index.js'

/*
 * The simulator's half of the composition root, and the only module outside src/sim that imports
 * it. start-cluster.ts loads this file with a dynamic import when the configuration selects the
 * simulator (`pve.simulated`), so a production start never loads src/sim.
 */

/** A simulated VM's OS takes this long (× SIM_SPEED) from power-on to answering SSH. */
export const simulatedBootMs = timings.guestBootMs

/** The driver the configuration names, on the embedded simulator. */
export async function startSimulatedCluster(
  config: Config,
  log: ClusterLog,
): Promise<StartedCluster> {
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
      return startCliOnSimulator(config, log)
    case 'api':
      return startApiOnSimulator(config, log)
  }
}

/** What the simulator adds to the install services: its image mirror and SSH-answering guests. */
export interface SimInstallExtras {
  /** the loopback mirror's URLs, which configured mirrors override */
  mirrors: Mirrors
  simGuests: SimGuests
  /** the loopback image mirror (tests publish new image builds through it) */
  simImages: SimImageServer
  /** the storage-lock retry interval, scaled by SIM_SPEED (only here: a real cluster's is fixed) */
  lockRetry: { attempts: number; baseDelayMs: number }
  /** the SSH readiness poll, scaled by SIM_SPEED like the guest's boot it waits for */
  guestPollMs: number
  /** IP_PROBE=ping on the simulator: nothing is pinged, the simulated network answers */
  addressProbe: AddressProbe
  close(): Promise<void>
}

export async function startSimInstallExtras(
  config: Config,
  simulator: Simulator,
  log: Logger,
): Promise<SimInstallExtras> {
  const imageServer = await startSimImageServer({ host: '127.0.0.1', port: 0 })
  const simGuests = startSimGuests({
    sim: simulator,
    port: config.install.guestSshPort,
    hostFor: (vmid) => ipForVmid(config.network.gateway, vmid),
    bootDelayMs: () => simulatedBootMs * config.sim.speed,
    log: log.child({ part: 'sim-guests' }),
    alreadyRunning: simulator.snapshot().vms.filter((vm) => vm.status === 'running'),
  })
  return {
    mirrors: { ...imageServer.mirrors, ...config.install.mirrors },
    simGuests,
    simImages: imageServer,
    lockRetry: {
      attempts: storageLockRetry.attempts,
      baseDelayMs: storageLockRetry.baseDelayMs * Math.max(config.sim.speed, 0.05),
    },
    guestPollMs: guestPollMs * Math.max(config.sim.speed, 0.05),
    addressProbe: createSimulatedPing(simulator),
    async close() {
      await simGuests.close()
      await imageServer.close()
    },
  }
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
    ...(config.sim.sharedStorage === undefined ? {} : { sharedStorage: config.sim.sharedStorage }),
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
    proxyTimeoutMs: config.sim.proxyTimeoutMs,
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
    keyFileDir: resolve(config.dataDir, 'tmp'),
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

function simulatedNodeNames(config: Config): readonly string[] | undefined {
  if (config.pve.nodes.length > 0) return config.pve.nodes.map((node) => node.name)
  return config.sim.nodes
}

function simulatedNodeIp(config: Config, name: string, index: number): string {
  return config.pve.nodes.find((node) => node.name === name)?.ip ?? `127.0.1.${index + 1}`
}
