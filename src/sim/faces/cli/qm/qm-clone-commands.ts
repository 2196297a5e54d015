import type { CliCommand } from '../command-tree.js'
import { optionTable } from '../getopt.js'
import { dieExit } from '../print-errors.js'
import { runTaskCommand } from '../task-command.js'
import { qemuPath } from '../tool-io.js'

/** `qm clone <vmid> <newid> [OPTIONS]` → `POST .../clone` as a foreground task (exit 255 on failure). */
export const qmClone: CliCommand = {
  kind: 'command',
  usage: 'qm clone <vmid> <newid> [OPTIONS]',
  positional: ['vmid', 'newid'],
  options: optionTable({
    name: 'string',
    description: 'string',
    full: 'boolean',
    target: 'string',
    storage: 'string',
    format: 'string',
    pool: 'string',
    snapname: 'string',
    bwlimit: 'string',
  }),
  run(io, args, options) {
    const params = { ...options, newid: args.newid ?? '' }
    return runTaskCommand(io, 'POST', `${qemuPath(io, args.vmid ?? '')}/clone`, params, {
      usage: this.usage,
      failureExit: dieExit,
    })
  },
}

/** `qm template <vmid> [--disk <key>]`: a failed `qmtemplate` task still exits 0 (pve.md §0.3). */
export const qmTemplate: CliCommand = {
  kind: 'command',
  usage: 'qm template <vmid> [OPTIONS]',
  positional: ['vmid'],
  options: optionTable({ disk: 'string' }),
  run(io, args, options) {
    return runTaskCommand(io, 'POST', `${qemuPath(io, args.vmid ?? '')}/template`, options, {
      usage: this.usage,
      failureExit: 0,
    })
  },
}
