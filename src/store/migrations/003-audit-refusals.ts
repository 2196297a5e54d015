import type { Migration } from './migration.js'

/**
 * Refusals past the per-source rate are counted, not stored one row each: one row per client
 * address and reason, with how many, when first and last, and the last path (cut short).
 */
export const auditRefusals: Migration = {
  version: 3,
  name: 'audit refusal counters',
  sql: `
    CREATE TABLE audit_refusals (
      address TEXT NOT NULL,
      reason TEXT NOT NULL,
      count INTEGER NOT NULL,
      first_at TEXT NOT NULL,
      last_at TEXT NOT NULL,
      sample TEXT NOT NULL,
      PRIMARY KEY (address, reason)
    ) WITHOUT ROWID;
    CREATE INDEX audit_refusals_by_last ON audit_refusals (last_at);
  `,
}
