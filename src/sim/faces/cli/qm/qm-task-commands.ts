import type { CliCommand } from '../command-tree.js'
import { optionTable, type OptionKind } from '../getopt.js'
import { dieExit } from '../print-errors.js'
import { runTaskCommand } from '../task-command.js'
import { qemuPath, type ToolIo } from '../tool-io.js'

const vmPath = (io: ToolIo, vmid: string): string => qemuPath(io, vmid)

/** A power command: `qm <action> <vmid>` → `POST .../status/<action>` as a foreground task. */
function powerCommand(action: string, options: Record<string, OptionKind>): CliCommand {
  return {
    kind: 'command',
    usage: `qm ${action} <vmid> [OPTIONS]`,
    positional: ['vmid'],
    options: optionTable(options),
    run(io, args, given) {
      return runTaskCommand(io, 'POST', `${vmPath(io, args.vmid ?? '')}/status/${action}`, given, {
        usage: this.usage,
        failureExit: dieExit,
      })
    },
  }
}

export const qmStart = powerCommand('start', {
  timeout: 'string',
  skiplock: 'boolean',
  machine: 'string',
  'force-cpu': 'string',
  migratedfrom: 'string',
  stateuri: 'string',
  targetstorage: 'string',
  migration_type: 'string',
  migration_network: 'string',
})
export const qmStop = powerCommand('stop', {
  timeout: 'string',
  skiplock: 'boolean',
  keepActive: 'boolean',
  'overrule-shutdown': 'boolean',
  migratedfrom: 'string',
})
export const qmShutdown = powerCommand('shutdown', {
  timeout: 'string',
  forceStop: 'boolean',
  skiplock: 'boolean',
  keepActive: 'boolean',
})
export const qmReboot = powerCommand('reboot', { timeout: 'string' })

export const qmDestroy: CliCommand = {
  kind: 'command',
  usage: 'qm destroy <vmid> [OPTIONS]',
  positional: ['vmid'],
  options: optionTable({
    purge: 'boolean',
    'destroy-unreferenced-disks': 'boolean',
    skiplock: 'boolean',
  }),
  run(io, args, options) {
    return runTaskCommand(io, 'DELETE', vmPath(io, args.vmid ?? ''), options, {
      usage: this.usage,
      failureExit: dieExit,
    })
  },
}

export const qmMigrate: CliCommand = {
  kind: 'command',
  usage: 'qm migrate <vmid> <target> [OPTIONS]',
  positional: ['vmid', 'target'],
  options: optionTable({
    online: 'boolean',
    'with-local-disks': 'boolean',
    targetstorage: 'string',
    bwlimit: 'string',
    force: 'boolean',
    migration_type: 'string',
    migration_network: 'string',
  }),
  run(io, args, options) {
    const params = { ...options, target: args.target ?? '' }
    return runTaskCommand(io, 'POST', `${vmPath(io, args.vmid ?? '')}/migrate`, params, {
      usage: this.usage,
      failureExit: dieExit,
    })
  },
}

export const qmDiskResize: CliCommand = {
  kind: 'command',
  usage: 'qm disk resize <vmid> <disk> <size> [OPTIONS]',
  positional: ['vmid', 'disk', 'size'],
  options: optionTable({ skiplock: 'boolean', digest: 'string' }),
  run(io, args, options) {
    const params = { ...options, disk: args.disk ?? '', size: args.size ?? '' }
    // a failed resize task still exits 0 on PVE >= 8 (pve.md §0.3)
    return runTaskCommand(io, 'PUT', `${vmPath(io, args.vmid ?? '')}/resize`, params, {
      usage: this.usage,
      failureExit: 0,
    })
  },
}
