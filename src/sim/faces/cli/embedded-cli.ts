import { join } from 'node:path'

import { createLocalExecutor, type Executor } from '../../../exec/index.js'
import { packageRoot } from '../../../lib/package-root.js'
import { startCliFace, type CliFace } from './cli-face.js'
import type { CliFaceSimulator } from './tool-io.js'

/** Where the fake `qm`, `pvesh` and `pvesm` live: `bin/sim` at the project root (from `src/`,
 * the tsc output and the bundle's chunks alike). */
export const simBinDir = join(packageRoot(import.meta.url), 'bin', 'sim')

export interface EmbeddedCliOptions {
  /** The face's Unix socket, e.g. `<DATA_DIR>/pve-sim.sock` (at most ~100 characters). */
  socketPath: string
  /** Start-up delay per invocation (pve.md §7: about 1400 ms for a real tool). */
  startupCostMs?: number
}

export interface EmbeddedCli {
  readonly face: CliFace
  /** An executor per simulated node: the fake tools run locally, told which node they are on. */
  readonly executorFor: (node: string) => Executor
  close(): Promise<void>
}

/**
 * The embedded simulator behind the fake CLI, ready for the cli driver: starts the face and
 * hands out local executors whose PATH starts with `bin/sim` and whose environment names the
 * socket and the node. Used when `PVE_DRIVER=cli` runs without a real cluster.
 *
 * @example
 * const cli = await startEmbeddedCli(sim, { socketPath: join(dataDir, 'pve-sim.sock') })
 * const cluster = createCliDriver({ mainNode: sim.mainNode, executorFor: cli.executorFor, log })
 */
export async function startEmbeddedCli(
  sim: CliFaceSimulator,
  options: EmbeddedCliOptions,
): Promise<EmbeddedCli> {
  const face = await startCliFace(sim, {
    socketPath: options.socketPath,
    ...(options.startupCostMs === undefined ? {} : { startupCostMs: options.startupCostMs }),
  })
  const executors = new Map<string, Executor>()
  return {
    face,
    executorFor: (node) => {
      let executor = executors.get(node)
      if (executor === undefined) {
        executor = createLocalExecutor({
          path: simBinDir,
          env: { PVE_SIM_SOCKET: options.socketPath, PVE_SIM_NODE: node },
        })
        executors.set(node, executor)
      }
      return executor
    },
    close: () => face.close(),
  }
}
