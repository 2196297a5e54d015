import type { VmConfigChanges } from '../../cluster.js'
import { PveError } from '../../errors.js'
import { checkConfigKey } from '../../check-names.js'

export interface ConfigArguments {
  /** `--key value` pairs, then `--delete a,b` when keys are deleted; never `--sshkeys`. */
  args: string[]
  /** The ssh keys (plain OpenSSH lines): qm takes them as a file path (`--sshkeys <file>`),
   * which the driver writes on the node where qm runs (./sshkeys-file.ts). */
  sshkeys?: string
}

/**
 * VM config changes as qm options. `sshkeys` is set aside: qm reads it from a file (pve.md
 * §4.3), and `/dev/stdin` is no such file when Node spawns qm (a socket, ENXIO; pve.md §10.1).
 * `null` deletes a key, which `qm create` cannot do.
 */
export function configArguments(changes: VmConfigChanges, mode: 'create' | 'set'): ConfigArguments {
  const args: string[] = []
  const deleted: string[] = []
  let sshkeys: string | undefined
  for (const [key, value] of Object.entries(changes)) {
    checkConfigKey(key)
    if (value === null) {
      if (mode === 'create') {
        throw new PveError('invalid_parameter', `${key}: cannot delete a key while creating a VM`, {
          parameters: { [key]: 'cannot delete a key while creating a VM' },
        })
      }
      deleted.push(key)
    } else if (key === 'sshkeys') {
      sshkeys = value
    } else {
      args.push(`--${key}`, value)
    }
  }
  if (deleted.length > 0) args.push('--delete', deleted.join(','))
  return sshkeys === undefined ? { args } : { args, sshkeys }
}
