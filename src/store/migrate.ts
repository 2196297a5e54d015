import type { Database } from 'better-sqlite3'
import { describeError } from '../errors.js'
import { StoreError } from './errors.js'
import { migrations as allMigrations, type Migration } from './migrations/index.js'

/** What {@link migrate} did: the schema version before and after. */
export interface MigrationResult {
  from: number
  to: number
}

/**
 * Brings the schema up to the newest migration, each one in its own transaction together with
 * the version bump, so a failure leaves the database at the last migration that completed.
 * Refuses a database newer than this code rather than guessing at its tables.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = allMigrations,
): MigrationResult {
  const from = schemaVersion(db)
  const latest = migrations.at(-1)?.version ?? 0
  if (from > latest) {
    throw new StoreError(
      'STORE_TOO_NEW',
      `${db.name} has schema version ${from}, but this pve-qemu knows versions up to ${latest}; ` +
        'run the newer pve-qemu or restore a backup of DATA_DIR',
    )
  }
  for (const migration of migrations) {
    if (migration.version <= from) continue
    try {
      db.transaction(() => {
        db.exec(migration.sql)
        db.pragma(`user_version = ${migration.version}`)
      })()
    } catch (error) {
      throw new StoreError(
        'STORE_MIGRATION_FAILED',
        `migration ${migration.version} (${migration.name}) of ${db.name} failed: ${describeError(error)}`,
        { cause: error },
      )
    }
  }
  return { from, to: Math.max(from, latest) }
}

/** The `user_version` the migrations keep. */
export function schemaVersion(db: Database): number {
  const version: unknown = db.pragma('user_version', { simple: true })
  return typeof version === 'number' ? version : 0
}
