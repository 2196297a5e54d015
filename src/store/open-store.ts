import { chmodSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { describeError } from '../errors.js'
import { createAuditTable, type AuditTable } from './audit-table.js'
import { createCreationTable, type CreationTable } from './creation-table.js'
import { StoreError } from './errors.js'
import { createHostKeyTable, type HostKeyTable } from './host-key-table.js'
import { createJobEventTable, type JobEventTable } from './job-event-table.js'
import { createJobTable, type JobTable } from './job-table.js'
import { migrate, type MigrationResult } from './migrate.js'
import { createReservationTable, type ReservationTable } from './reservation-table.js'

export interface StoreOptions {
  /** the database file, or `:memory:` for a store that lives as long as the process (tests) */
  path: string
  /** clock for the timestamps the tables write */
  now?: () => Date
}

/** The service's durable state, one SQLite database; the tables map rows to plain objects. */
export interface Store {
  readonly path: string
  readonly migration: MigrationResult
  readonly jobs: JobTable
  readonly events: JobEventTable
  readonly reservations: ReservationTable
  readonly guestHostKeys: HostKeyTable
  readonly nodeHostKeys: HostKeyTable
  readonly audit: AuditTable
  /** VM creates install jobs started (crash recovery reads them) */
  readonly creations: CreationTable
  /** Runs `work` in one transaction: everything it writes lands together or not at all. */
  transaction<T>(work: () => T): T
  close(): void
}

/** The database file inside DATA_DIR. */
export function storePath(dataDir: string): string {
  return join(dataDir, 'pve-qemu.db')
}

/**
 * Opens (creating if needed) the store and migrates it to the newest schema. The file is
 * readable by its owner only, and held with an exclusive lock for as long as it is open: a
 * second pve-qemu on the same DATA_DIR is refused (`STORE_IN_USE`) instead of both believing
 * they own the jobs that are running. The lock goes with the process, even on `kill -9`.
 *
 * @example
 * const store = openStore({ path: storePath(config.dataDir) })
 */
export function openStore(options: StoreOptions): Store {
  const { path } = options
  const now = options.now ?? ((): Date => new Date())
  const memory = path === ':memory:'
  let db: Database
  try {
    if (!memory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    db = new BetterSqlite3(path, { timeout: 1000 })
  } catch (error) {
    throw new StoreError('STORE_OPEN_FAILED', `cannot open ${path}: ${describeError(error)}`, {
      cause: error,
    })
  }
  try {
    if (!memory) chmodSync(path, 0o600)
    takeOwnership(db, path)
    const migration = migrate(db)
    return assemble(db, path, migration, now)
  } catch (error) {
    db.close()
    throw error
  }
}

function takeOwnership(db: Database, path: string): void {
  try {
    // exclusive locking before WAL: the WAL index then lives in this process's memory
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.exec('BEGIN EXCLUSIVE; COMMIT')
  } catch (error) {
    if (isBusy(error)) {
      throw new StoreError(
        'STORE_IN_USE',
        `${path} is in use by another pve-qemu process; run one service per DATA_DIR`,
        { cause: error },
      )
    }
    throw new StoreError('STORE_OPEN_FAILED', `cannot open ${path}: ${describeError(error)}`, {
      cause: error,
    })
  }
}

function isBusy(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('SQLITE_BUSY')
  )
}

function assemble(db: Database, path: string, migration: MigrationResult, now: () => Date): Store {
  return {
    path,
    migration,
    jobs: createJobTable(db),
    events: createJobEventTable(db),
    reservations: createReservationTable(db, now),
    guestHostKeys: createHostKeyTable(db, 'guest', now),
    nodeHostKeys: createHostKeyTable(db, 'node', now),
    audit: createAuditTable(db, now),
    creations: createCreationTable(db, now),
    transaction: (work) => db.transaction(work)(),
    close: () => {
      if (db.open) db.close()
    },
  }
}
