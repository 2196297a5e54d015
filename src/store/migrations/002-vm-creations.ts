import type { Migration } from './migration.js'

/**
 * "This job is about to create VM <vmid> on <node>", written before `qm create` runs: crash
 * recovery then knows whether a job could have made a VM at all, and looks for its stamp.
 */
export const vmCreations: Migration = {
  version: 2,
  name: 'VM creations started by install jobs',
  sql: `
    CREATE TABLE vm_creations (
      job_id TEXT NOT NULL,
      vmid INTEGER NOT NULL,
      node TEXT NOT NULL,
      started_at TEXT NOT NULL,
      PRIMARY KEY (job_id, vmid)
    ) WITHOUT ROWID;
  `,
}
