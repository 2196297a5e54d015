import type { Config } from './config/index.js'
import { createApiDriver } from './pve/drivers/api/index.js'
import type { Cluster } from './pve/cluster.js'
import { createSimulator, type Simulator } from './sim/index.js'
import { createInProcessTransport } from './sim/faces/in-process-transport.js'

export interface StartedCluster {
  cluster: Cluster
  /** the embedded simulator, when the configuration drives one */
  simulator?: Simulator
  close(): Promise<void>
}

/**
 * Part of the composition root: turns the configured driver into a running Cluster. The
 * simulator is started only for `PVE_DRIVER=sim`, which config makes the default only when no
 * real cluster (MAIN_NODE) is configured.
 */
export async function startCluster(config: Config): Promise<StartedCluster> {
  switch (config.pve.driver) {
    case 'sim': {
      const nodeNames = simulatedNodeNames(config)
      const simulator = await createSimulator({
        dataDir: config.dataDir,
        speed: config.sim.speed,
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
      const cluster = createApiDriver({
        transport: createInProcessTransport(simulator),
        description: `simulated cluster (nodes ${simulator.nodes.join(', ')}; main ${simulator.mainNode}; speed ${config.sim.speed})`,
        // in-process task polls cost nothing; keep event latency low
        taskPollMs: 50,
      })
      return { cluster, simulator, close: () => simulator.close() }
    }
    case 'cli':
    case 'api':
      throw new Error(`PVE_DRIVER=${config.pve.driver} is not available in this build yet`)
  }
}

function simulatedNodeNames(config: Config): readonly string[] | undefined {
  if (config.pve.nodes.length > 0) return config.pve.nodes.map((node) => node.name)
  return config.sim.nodes
}

function simulatedNodeIp(config: Config, name: string, index: number): string {
  return config.pve.nodes.find((node) => node.name === name)?.ip ?? `127.0.1.${index + 1}`
}
