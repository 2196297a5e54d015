import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { describeError } from '../errors.js'
import { createAddressTable, type AddressTable } from './address-table.js'
import { createAuditTable, type AuditRetention, type AuditTable } from './audit-table.js'
import { createCreationTable, type CreationTable } from './creation-table.js'
import { StoreError } from './errors.js'
import { createHostKeyTable, type HostKeyTable } from './host-key-table.js'
import { createJobEventTable, type JobEventTable } from './job-event-table.js'
import { createJobTable, type JobTable } from './job-table.js'
import { migrate, type MigrationResult } from './migrate.js'
import { createReservationTable, type ReservationTable } from './reservation-table.js'
import {
  createStoreHealth,
  guardWrites,
  type StoreHealth,
  type StoreHealthState,
} from './store-health.js'

export interface StoreOptions {
  /** the database file, or `:memory:` for a store that lives as long as the process (tests) */
  path: string
  /** clock for the timestamps the tables write */
  now?: () => Date
  /** how long the audit log keeps entries (`AUDIT_RETENTION_DAYS`, `AUDIT_MAX_ROWS`) */
  auditRetention?: AuditRetention
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
  /** addresses of the named networks held by installs or given to VMs */
  readonly addresses: AddressTable
  /** Runs `work` in one transaction: everything it writes lands together or not at all. */
  transaction<T>(work: () => T): T
  /** Whether the last write succeeded (`/api/health?full=1`, install admission). */
  health(): StoreHealthState
  /**
   * Fault injection for tests, through SQLite itself: caps the file at its current size plus
   * `extraPages` pages, so writes that need more fail with SQLite's own "database or disk is
   * full", as on a full disk; undefined lifts the cap.
   */
  limitGrowth(extraPages: number | undefined): void
  /**
   * Fault injection for tests, through SQLite itself: while true, every write fails at once
   * with SQLite's own error, as on a disk that went read-only or full under the service.
   */
  refuseWrites(refuse: boolean): void
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
    if (!memory) checkIntegrity(db, path)
    const migration = migrate(db)
    return assemble(db, { path, migration, now, retention: options.auditRetention })
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
    if (isCorrupt(error)) throw corrupt(path, describeError(error), error)
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

/** Below this size the full `integrity_check` runs at start; above it the faster `quick_check`. */
const fullCheckBytes = 32 * 1024 * 1024

/**
 * Finds a damaged database at start rather than in the middle of a job: `integrity_check` for a
 * small file, `quick_check` for a large one. Refuses to go on, naming the file and what to do.
 */
function checkIntegrity(db: Database, path: string): void {
  const pragma = statSync(path).size <= fullCheckBytes ? 'integrity_check' : 'quick_check'
  let rows: unknown
  try {
    rows = db.pragma(`${pragma}(20)`, { simple: false })
  } catch (error) {
    throw corrupt(path, describeError(error), error)
  }
  const findings = Array.isArray(rows)
    ? rows.map((row: unknown) =>
        typeof row === 'object' && row !== null ? String(Object.values(row)[0]) : String(row),
      )
    : []
  if (findings.length === 1 && findings[0] === 'ok') return
  throw corrupt(path, `${pragma} found: ${findings.slice(0, 3).join('; ')}`)
}

function corrupt(path: string, finding: string, cause?: unknown): StoreError {
  return new StoreError(
    'STORE_CORRUPT',
    `${path} is damaged (${finding}); stop here: move the file aside (with its -wal file) and ` +
      'restore DATA_DIR from a backup, or start without it to begin an empty job history',
    cause === undefined ? undefined : { cause },
  )
}

function sqliteCode(error: unknown): string {
  if (typeof error !== 'object' || error === null || !('code' in error)) return ''
  return typeof error.code === 'string' ? error.code : ''
}

function isBusy(error: unknown): boolean {
  return sqliteCode(error).startsWith('SQLITE_BUSY')
}

function isCorrupt(error: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode(error))
}

interface Assembly {
  path: string
  migration: MigrationResult
  now: () => Date
  retention: AuditRetention | undefined
}

function assemble(db: Database, { path, migration, now, retention }: Assembly): Store {
  const health: StoreHealth = createStoreHealth(path, now)
  const pageCount = (): number => Number(db.pragma('page_count', { simple: true }))
  const defaultMaxPages = Number(db.pragma('max_page_count', { simple: true }))
  return {
    path,
    migration,
    jobs: guardWrites(createJobTable(db), ['insert', 'setState', 'setVmid', 'finish'], health),
    events: guardWrites(createJobEventTable(db), ['append'], health),
    reservations: guardWrites(
      createReservationTable(db, now),
      ['reserve', 'release', 'releaseOwner'],
      health,
    ),
    guestHostKeys: guardWrites(createHostKeyTable(db, 'guest', now), ['set', 'forget'], health),
    nodeHostKeys: guardWrites(createHostKeyTable(db, 'node', now), ['set', 'forget'], health),
    audit: guardWrites(
      createAuditTable(db, now, retention),
      ['record', 'countRefusal', 'prune'],
      health,
    ),
    creations: guardWrites(createCreationTable(db, now), ['started'], health),
    addresses: guardWrites(
      createAddressTable(db, now),
      ['hold', 'holdReplacing', 'drop', 'assign', 'releaseOwner', 'releaseVm', 'releaseAllHolds'],
      health,
    ),
    transaction: (work) => health.guard(() => db.transaction(work)()),
    health: () => health.state(),
    limitGrowth: (extraPages) => {
      const pages = extraPages === undefined ? defaultMaxPages : pageCount() + extraPages
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(pages))}`)
    },
    refuseWrites: (refuse) => {
      db.pragma(`query_only = ${refuse ? 1 : 0}`)
    },
    close: () => {
      if (db.open) db.close()
    },
  }
}
