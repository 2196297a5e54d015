import type { Migration } from './migration.js'

/**
 * Events a program can read: each event may carry structured fields besides its message (a
 * download's bytes and total, an install's result), kept as one JSON object so new fields need
 * no new column.
 */
export const eventData: Migration = {
  version: 4,
  name: 'structured data of job events',
  sql: `ALTER TABLE job_events ADD COLUMN data TEXT;`,
}
