import type { Executor, RunResult } from '../../../exec/index.js'
import type { Cluster, MigrateOptions, OperationOptions } from '../../cluster.js'
import {
  readClusterResources,
  readNodeStatus,
  readNodeStorages,
  readVmConfig,
  readVmStatus,
} from '../../read/index.js'
import { checkDiskKey, checkNodeName, checkResizeSize } from './check-names.js'
import { cliCloneOperations } from './clone.js'
import { createCommandCounter, type CommandCounter } from './command-counter.js'
import { configArguments } from './config-arguments.js'
import { parseToolError, toolErrorToPveError } from './parse/tool-error.js'
import { parsePveshJson } from './parse/pvesh-json.js'
import { createToolRunner, type CliDriverLogger, type ToolRunOptions } from './run-tool.js'

export interface CliDriverOptions {
  /** The node this service runs on: cluster-wide reads (`pvesh get`) run here. */
  mainNode: string
  /** The executor for a node: local for the main node, SSH for the others. */
  executorFor: (node: string) => Executor
  log: CliDriverLogger
  /** Counts commands per tool and subcommand; a fresh one when absent. */
  counter?: CommandCounter
  /** What the start-up log says this driver drives. */
  description?: string
  /** Limit for one `pvesh get`; default 60 s. Task commands wait as long as the task runs. */
  readTimeoutMs?: number
}

export interface CliDriver extends Cluster {
  /** Commands run so far, per tool and subcommand (`{ 'qm start': 2, 'pvesh get': 9 }`). */
  commandCounts(): Record<string, number>
}

/**
 * The pve port over Proxmox's own tools (the seed's prerequisites: `qm` and `pvesh` on the main
 * node, root SSH from there to the others). Reads go through `pvesh get ... --output-format
 * json` on the main node; every VM change runs `qm` on the node the VM is on. No command line is
 * ever built as a string: argv arrays only, quoted once by the SSH executor.
 *
 * @example
 * const cluster = createCliDriver({ mainNode: 'pve1', executorFor, log })
 * await cluster.startVm('pve2', 101) // runs `qm start 101` on pve2 over SSH
 */
export function createCliDriver(options: CliDriverOptions): CliDriver {
  const counter = options.counter ?? createCommandCounter()
  const run = createToolRunner({ executorFor: options.executorFor, log: options.log, counter })
  const readTimeoutMs = options.readTimeoutMs ?? 60_000
  checkNodeName(options.mainNode, 'mainNode')

  async function pveshGet(path: string, opts?: OperationOptions): Promise<unknown> {
    const argv = ['pvesh', 'get', path, '--output-format', 'json']
    const result = await run(options.mainNode, argv, {
      ...signalOf(opts),
      timeoutMs: readTimeoutMs,
    })
    return parsePveshJson(result.stdout).data
  }

  async function qm(node: string, args: string[], opts?: ToolRunOptions): Promise<RunResult> {
    checkNodeName(node)
    return await run(node, ['qm', ...args], opts)
  }

  const vmPath = (node: string, vmid: number): string => {
    checkNodeName(node)
    return `/nodes/${node}/qemu/${vmid}`
  }

  return {
    description:
      options.description ?? `Proxmox VE through qm/pvesh (main node ${options.mainNode})`,
    commandCounts: () => counter.snapshot(),
    ...cliCloneOperations(qm),

    async resources(opts) {
      return readClusterResources(await pveshGet('/cluster/resources', opts))
    },

    async nodeStatus(node, opts) {
      checkNodeName(node)
      return readNodeStatus(node, await pveshGet(`/nodes/${node}/status`, opts))
    },

    async nodeStorages(node, opts) {
      checkNodeName(node)
      return readNodeStorages(await pveshGet(`/nodes/${node}/storage`, opts))
    },

    async vmStatus(node, vmid, opts) {
      return readVmStatus(node, await pveshGet(`${vmPath(node, vmid)}/status/current`, opts))
    },

    async vmConfig(node, vmid, opts) {
      return readVmConfig(await pveshGet(`${vmPath(node, vmid)}/config`, opts))
    },

    async createVm(node, vmid, config, opts) {
      const { args, stdin } = configArguments(config, 'create')
      await qm(node, ['create', String(vmid), ...args], taskOptions(opts, stdin))
    },

    async updateVm(node, vmid, changes, opts) {
      const { args, stdin } = configArguments(changes, 'set')
      await qm(node, ['set', String(vmid), ...args], taskOptions(opts, stdin))
    },

    async resizeDisk(node, vmid, disk, size, opts) {
      checkDiskKey(disk)
      checkResizeSize(size)
      const result = await qm(node, ['disk', 'resize', String(vmid), disk, size], taskOptions(opts))
      // PVE >= 8 runs resize as a task and exits 0 even when it failed (pve.md §0.3)
      const failure = parseToolError(result.stderr)
      if (failure.message !== '') throw toolErrorToPveError(failure, 'qm disk resize failed')
    },

    async startVm(node, vmid, opts) {
      await qm(node, ['start', String(vmid)], taskOptions(opts))
    },

    async stopVm(node, vmid, opts) {
      await qm(node, ['stop', String(vmid), '--skiplock'], taskOptions(opts))
    },

    async shutdownVm(node, vmid, opts) {
      await qm(node, ['shutdown', String(vmid)], taskOptions(opts))
    },

    async rebootVm(node, vmid, opts) {
      await qm(node, ['reboot', String(vmid)], taskOptions(opts))
    },

    async destroyVm(node, vmid, opts) {
      const args = ['destroy', String(vmid), '--purge', '1', '--destroy-unreferenced-disks', '1']
      await qm(node, args, taskOptions(opts))
    },

    async migrateVm(node: string, vmid: number, target: string, opts: MigrateOptions) {
      checkNodeName(target, 'target')
      const args = ['migrate', String(vmid), target]
      if (opts.online) args.push('--online')
      if (opts.withLocalDisks) args.push('--with-local-disks')
      await qm(node, args, taskOptions(opts))
    },
  }
}

function signalOf(opts: OperationOptions | undefined): { signal?: AbortSignal } {
  return opts?.signal === undefined ? {} : { signal: opts.signal }
}

function taskOptions(opts: OperationOptions | undefined, stdin?: string): ToolRunOptions {
  return {
    ...signalOf(opts),
    ...(opts?.onLine === undefined ? {} : { onLine: opts.onLine }),
    ...(stdin === undefined ? {} : { stdin }),
  }
}
