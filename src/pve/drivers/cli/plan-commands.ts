import type { PlannedOperation } from '../../planned-operation.js'
import { configArguments, type ConfigArguments } from './config-arguments.js'
import { redactArgv } from './redact-argv.js'

/**
 * The qm command lines the cli driver would run for planned operations, secrets redacted
 * (`--cipassword <redacted>`; ssh keys go in a file the driver writes, `--sshkeys <keys-file>`). A command for another
 * node than the main one is shown as it runs there: `ssh root@<node> qm ...`.
 */
export function planCommandLines(
  operations: readonly PlannedOperation[],
  mainNode: string,
): string[] {
  return operations.map((operation) => {
    const argv = redactArgv(['qm', ...qmArgs(operation)])
    const line = argv.map(showWord).join(' ')
    return operation.node === mainNode ? line : `ssh root@${operation.node} ${line}`
  })
}

function qmArgs(operation: PlannedOperation): string[] {
  const id = String(operation.vmid)
  switch (operation.op) {
    case 'create':
      return ['create', id, ...withKeyFile(configArguments(operation.config, 'create'))]
    case 'update':
      return ['set', id, ...withKeyFile(configArguments(operation.changes, 'set'))]
    case 'resize':
      return ['disk', 'resize', id, operation.disk, operation.size]
    case 'start':
    case 'reboot':
    case 'template':
      return [operation.op, id]
    case 'migrate':
      return ['migrate', id, operation.target, '--with-local-disks']
    case 'clone': {
      const args = ['clone', id, String(operation.newid), '--full', operation.full ? '1' : '0']
      if (operation.name !== undefined) args.push('--name', operation.name)
      if (operation.target !== undefined) args.push('--target', operation.target)
      return args
    }
  }
}

/** The driver hands qm the keys as a 0600 file it writes on the node (shown by its role). */
function withKeyFile(config: ConfigArguments): string[] {
  return config.sshkeys === undefined ? config.args : [...config.args, '--sshkeys', '<keys-file>']
}

/** A word as a shell would need it to read back the same (for display only; never executed). */
function showWord(word: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}
