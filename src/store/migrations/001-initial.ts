import type { Migration } from './migration.js'

/**
 * The first schema: jobs and their events, VMID reservations, host keys of guests and nodes,
 * and the audit log. Timestamps are ISO 8601 text in UTC, so they sort as text.
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'jobs, job events, reservations, host keys, audit log',
  sql: `
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      state TEXT NOT NULL,
      vmid INTEGER,
      summary TEXT,
      error TEXT,
      created_at TEXT NOT NULL,
      started_at TEXT,
      ended_at TEXT,
      idempotency_key TEXT UNIQUE,
      request_fingerprint TEXT
    );
    CREATE INDEX jobs_by_state ON jobs (state);
    CREATE INDEX jobs_by_vmid ON jobs (vmid);
    CREATE INDEX jobs_by_created ON jobs (created_at);

    CREATE TABLE job_events (
      job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL CHECK (seq > 0),
      at TEXT NOT NULL,
      step TEXT NOT NULL,
      status TEXT NOT NULL,
      message TEXT NOT NULL,
      vmid INTEGER,
      ip TEXT,
      PRIMARY KEY (job_id, seq)
    ) WITHOUT ROWID;

    CREATE TABLE vmid_reservations (
      vmid INTEGER PRIMARY KEY,
      owner TEXT NOT NULL,
      reserved_at TEXT NOT NULL
    );

    CREATE TABLE host_keys (
      kind TEXT NOT NULL CHECK (kind IN ('guest', 'node')),
      host TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (kind, host)
    ) WITHOUT ROWID;

    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      address TEXT NOT NULL,
      action TEXT NOT NULL,
      vmid INTEGER,
      status INTEGER NOT NULL,
      result TEXT NOT NULL
    );
    CREATE INDEX audit_by_at ON audit_log (at);
  `,
}
