import type { VmConfigChanges } from '../../cluster.js'
import { PveError } from '../../errors.js'
import { checkConfigKey } from '../../check-names.js'

export interface ConfigArguments {
  /** `--key value` pairs, then `--delete a,b` when keys are deleted. */
  args: string[]
  /** The ssh keys, for `--sshkeys /dev/stdin`: qm reads the file and URL-encodes it. */
  stdin?: string
}

/**
 * VM config changes as qm options. `sshkeys` travels on stdin (qm takes a file path, pve.md
 * §4.3), so keys never sit in a temp file or in argv; `null` deletes a key, which `qm create`
 * cannot do.
 */
export function configArguments(changes: VmConfigChanges, mode: 'create' | 'set'): ConfigArguments {
  const args: string[] = []
  const deleted: string[] = []
  let stdin: string | undefined
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
      args.push('--sshkeys', '/dev/stdin')
      stdin = value
    } else {
      args.push(`--${key}`, value)
    }
  }
  if (deleted.length > 0) args.push('--delete', deleted.join(','))
  return stdin === undefined ? { args } : { args, stdin }
}
