import { asObject, optionalString } from '../../../read/index.js'

export interface TaskStatus {
  status: 'running' | 'stopped'
  /** `OK`, `WARNINGS: N` or the error text; only once stopped */
  exitstatus?: string
  /** stopped with `OK` or `WARNINGS: N` */
  succeeded: boolean
}

/** Reads `GET /nodes/{node}/tasks/{upid}/status` (pve.md §1.12). */
export function parseTaskStatus(data: unknown): TaskStatus {
  const entry = asObject(data, 'task status')
  const status = optionalString(entry, 'status') === 'stopped' ? 'stopped' : 'running'
  const exitstatus = optionalString(entry, 'exitstatus')
  if (status === 'running' || exitstatus === undefined) return { status, succeeded: false }
  return {
    status,
    exitstatus,
    succeeded: exitstatus === 'OK' || /^WARNINGS: \d+$/.test(exitstatus),
  }
}
