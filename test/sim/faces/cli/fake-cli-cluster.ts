/**
 * A simulated cluster reachable the way a real one is: the fake qm/pvesh/pvesm on the main
 * node's PATH, and the other nodes behind their own SSH servers on loopback whose commands run
 * the fake tools as that node.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

import { createLocalExecutor, createSshExecutor } from '../../../../src/exec/index.js'
import type { Executor, SshExecutor } from '../../../../src/exec/index.js'
import { simBinDir, startCliFace, type CliFace } from '../../../../src/sim/faces/cli/index.js'
import {
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../../src/sim/index.js'
import {
  generateSshKeyPair,
  startSshNodeServer,
  type SshNodeServer,
} from '../../../helpers/ssh-node-server.js'

export interface FakeCliCluster {
  readonly sim: Simulator
  readonly face: CliFace
  readonly dir: string
  readonly mainNode: string
  /** One SSH server per node other than the main one. */
  readonly sshServers: ReadonlyMap<string, SshNodeServer>
  /** The executor the service would use: local on the main node, SSH elsewhere. */
  readonly executorFor: (node: string) => Executor
  /** A local executor that runs the fake tools as `node` (no SSH). */
  readonly localAs: (node: string) => Executor
  close(): Promise<void>
}

export interface FakeCliClusterOptions {
  sim?: Partial<SimulatorOptions>
  startupCostMs?: number
}

/** Starts the simulator, its CLI face, and an SSH server for every non-main node. */
export async function startFakeCliCluster(
  options: FakeCliClusterOptions = {},
): Promise<FakeCliCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pve-cli-'))
  const socketPath = join(dir, 'sim.sock')
  const sim = await createSimulator({ speed: 0, ...options.sim })
  const face = await startCliFace(sim, {
    socketPath,
    ...(options.startupCostMs === undefined ? {} : { startupCostMs: options.startupCostMs }),
  })
  const clientKey = generateSshKeyPair()
  const sshServers = new Map<string, SshNodeServer>()
  const sshExecutors = new Map<string, SshExecutor>()
  const locals = new Map<string, Executor>()
  for (const node of sim.nodes.filter((name) => name !== sim.mainNode)) {
    const server = await startSshNodeServer({
      authorizedKey: clientKey.publicKey,
      env: {
        PATH: `${simBinDir}${delimiter}${process.env.PATH ?? ''}`,
        PVE_SIM_SOCKET: socketPath,
        PVE_SIM_NODE: node,
      },
    })
    sshServers.set(node, server)
    sshExecutors.set(
      node,
      createSshExecutor({
        host: server.host,
        port: server.port,
        privateKey: clientKey.privateKey,
        hostKey: { pinned: server.hostKeyFingerprint },
      }),
    )
  }
  const localAs = (node: string): Executor => {
    let executor = locals.get(node)
    if (executor === undefined) {
      executor = createLocalExecutor({
        path: simBinDir,
        env: { PVE_SIM_SOCKET: socketPath, PVE_SIM_NODE: node },
      })
      locals.set(node, executor)
    }
    return executor
  }
  return {
    sim,
    face,
    dir,
    mainNode: sim.mainNode,
    sshServers,
    localAs,
    executorFor: (node) => {
      if (node === sim.mainNode) return localAs(node)
      const executor = sshExecutors.get(node)
      if (executor === undefined) throw new Error(`no SSH server for node ${node}`)
      return executor
    },
    async close() {
      await Promise.all([...sshExecutors.values()].map((executor) => executor.close()))
      await Promise.all([...sshServers.values()].map((server) => server.close()))
      await face.close()
      await sim.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
