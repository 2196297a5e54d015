import { AppError } from '../errors.js'

/** One-line description of each store error code. */
export const storeErrorCodes: Record<string, string> = {
  STORE_OPEN_FAILED: 'the SQLite database in DATA_DIR could not be opened or created',
  STORE_IN_USE: 'another pve-qemu process holds the database in DATA_DIR',
  STORE_TOO_NEW: 'the database was written by a newer pve-qemu with migrations this one lacks',
  STORE_MIGRATION_FAILED: 'a schema migration failed; the database was left at the last good one',
  STORE_ROW_INVALID: 'a stored row holds a value this version cannot read',
  STORE_CORRUPT: 'the database file is damaged (integrity check at start); restore a backup',
  STORE_WRITE_FAILED: 'a write to the database failed (disk full, I/O error, read-only file)',
  STORE_UNAVAILABLE: 'the database cannot write at the moment, so no install is admitted',
}

export type StoreErrorCode =
  | 'STORE_OPEN_FAILED'
  | 'STORE_IN_USE'
  | 'STORE_TOO_NEW'
  | 'STORE_MIGRATION_FAILED'
  | 'STORE_ROW_INVALID'
  | 'STORE_CORRUPT'
  | 'STORE_WRITE_FAILED'
  | 'STORE_UNAVAILABLE'

/** A failure of the SQLite store; the message names the database file or the row. */
export class StoreError extends AppError {
  override readonly name = 'StoreError'
}
