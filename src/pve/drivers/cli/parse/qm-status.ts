import type { VmPowerState } from '../../../cluster.js'
import { PveError } from '../../../errors.js'

const states: readonly VmPowerState[] = [
  'running',
  'stopped',
  'paused',
  'prelaunch',
  'suspended',
  'unknown',
]

/** Reads `qm status <vmid>`: one line, `status: <qmpstatus>` (pve.md §2.6). */
export function parseQmStatus(stdout: string): VmPowerState {
  const match = /^status: (\S+)\s*$/m.exec(stdout)
  const value = match?.[1]
  if (value === undefined) {
    throw new PveError('failed', `unexpected qm status output: ${stdout.trim().slice(0, 200)}`)
  }
  return states.find((state) => state === value) ?? 'unknown'
}
