import type { Executor, RunResult } from '../../../exec/index.js'
import type { Cluster, MigrateOptions, OperationOptions } from '../../cluster.js'
import {
  readClusterResources,
  readGuestInterfaces,
  readNodeBridges,
  readNodeStatus,
  readNodeStorages,
  readVmConfig,
  readVmPending,
  readVmStatus,
} from '../../read/index.js'
import { checkDiskKey, checkNodeName, checkResizeSize } from '../../check-names.js'
import { PveError } from '../../errors.js'
import { cliCloneOperations } from './clone.js'
import { createCommandCounter, type CommandCounter } from './command-counter.js'
import { configArguments, type ConfigArguments } from './config-arguments.js'
import { createKeyFiles } from './key-file.js'
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
  /** Where ssh key files for qm on the main node are made; default the OS temp directory. */
  keyFileDir?: string
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
  const withKeyFile = createKeyFiles({
    mainNode: options.mainNode,
    run,
    log: options.log,
    ...(options.keyFileDir === undefined ? {} : { localDir: options.keyFileDir }),
  })

  /** `qm <command> <vmid> <config options>`, with `--sshkeys <file>` when keys are set. */
  async function qmWithConfig(
    node: string,
    head: string[],
    config: ConfigArguments,
    opts: OperationOptions | undefined,
  ): Promise<void> {
    const { sshkeys } = config
    if (sshkeys === undefined) {
      await qm(node, [...head, ...config.args], taskOptions(opts))
      return
    }
    checkNodeName(node)
    await withKeyFile(node, sshkeys, async (path) => {
      await qm(node, [...head, ...config.args, '--sshkeys', path], taskOptions(opts))
    })
  }

  async function pveshGet(
    path: string,
    opts?: OperationOptions,
    extra: string[] = [],
  ): Promise<unknown> {
    const argv = ['pvesh', 'get', path, ...extra, '--output-format', 'json']
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

    async nodeBridges(node, opts) {
      checkNodeName(node)
      const path = `/nodes/${node}/network`
      return readNodeBridges(await pveshGet(path, opts, ['--type', 'any_bridge']))
    },

    async guestInterfaces(node, vmid, opts) {
      // qm acts on the node the VM is on (pve.md §2); it prints the agent's result as pretty
      // JSON (qemu-server PVE/CLI/qm.pm, $print_agent_result)
      const args = ['guest', 'cmd', String(vmid), 'network-get-interfaces']
      const result = await qm(node, args, { ...signalOf(opts), timeoutMs: readTimeoutMs })
      return readGuestInterfaces(parseAgentJson(result.stdout))
    },

    async vmStatus(node, vmid, opts) {
      return readVmStatus(node, await pveshGet(`${vmPath(node, vmid)}/status/current`, opts))
    },

    async vmConfig(node, vmid, opts) {
      return readVmConfig(await pveshGet(`${vmPath(node, vmid)}/config`, opts))
    },

    async vmPending(node, vmid, opts) {
      // one pvesh read on the main node (pvesh proxies it to the VM's node), like vmConfig
      return readVmPending(await pveshGet(`${vmPath(node, vmid)}/pending`, opts))
    },

    async createVm(node, vmid, config, opts) {
      await qmWithConfig(node, ['create', String(vmid)], configArguments(config, 'create'), opts)
    },

    async updateVm(node, vmid, changes, opts) {
      await qmWithConfig(node, ['set', String(vmid)], configArguments(changes, 'set'), opts)
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
      // never --skiplock: a lock (backup, migrate, snapshot) belongs to a task we did not start,
      // and a stop that skips it kills that task (pve.md §10.4); qm refuses `VM is locked (x)`
      await qm(node, ['stop', String(vmid)], taskOptions(opts))
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

/** The agent's answer as qm printed it; a malformed one is a Proxmox failure, not a crash. */
function parseAgentJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout)
  } catch {
    throw new PveError('failed', `unexpected answer from qm guest cmd: ${stdout.slice(0, 80)}`)
  }
}

function signalOf(opts: OperationOptions | undefined): { signal?: AbortSignal } {
  return opts?.signal === undefined ? {} : { signal: opts.signal }
}

function taskOptions(opts: OperationOptions | undefined): ToolRunOptions {
  return {
    ...signalOf(opts),
    ...(opts?.onLine === undefined ? {} : { onLine: opts.onLine }),
  }
}
