import type { Database } from 'better-sqlite3'

/** One `qm create` an install job started. */
export interface CreationRecord {
  jobId: string
  vmid: number
  /** where the create ran (the VM may have moved since) */
  node: string
  /** ISO 8601 */
  startedAt: string
}

/** The creates install jobs started, recorded before each one runs. */
export interface CreationTable {
  /** Records that `jobId` is about to create `vmid` on `node` (again: the same row). */
  started(jobId: string, vmid: number, node: string): void
  /** What `jobId` started, oldest first. */
  ofJob(jobId: string): CreationRecord[]
}

export function createCreationTable(db: Database, now: () => Date): CreationTable {
  const insert = db.prepare<[string, number, string, string]>(
    'INSERT OR REPLACE INTO vm_creations (job_id, vmid, node, started_at) VALUES (?, ?, ?, ?)',
  )
  const select = db.prepare<
    [string],
    { job_id: string; vmid: number; node: string; started_at: string }
  >('SELECT * FROM vm_creations WHERE job_id = ? ORDER BY started_at, vmid')
  return {
    started(jobId, vmid, node) {
      insert.run(jobId, vmid, node, now().toISOString())
    },
    ofJob: (jobId) =>
      select.all(jobId).map((row) => ({
        jobId: row.job_id,
        vmid: row.vmid,
        node: row.node,
        startedAt: row.started_at,
      })),
  }
}
