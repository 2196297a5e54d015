import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  migrate,
  migrations,
  openStore,
  schemaVersion,
  StoreError,
  storeErrorCodes,
  storePath,
  type Store,
} from '../../src/store/index.js'

let dir: string
const opened: Store[] = []
const open = (path = storePath(dir)): Store => {
  const store = openStore({ path })
  opened.push(store)
  return store
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pve-qemu-store-'))
})
afterEach(() => {
  for (const store of opened.splice(0)) store.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('openStore', () => {
  it('creates the database in DATA_DIR, readable by its owner only, at the newest schema', () => {
    const store = open(storePath(join(dir, 'nested')))
    expect(store.migration).toEqual({ from: 0, to: migrations.at(-1)?.version })
    expect(statSync(store.path).mode & 0o777).toBe(0o600)
  })

  it('keeps what was written across a reopen and migrates nothing twice', () => {
    const first = open()
    first.jobs.insert({
      id: 'j1',
      type: 'install',
      state: 'running',
      createdAt: '2025-01-01T00:00:00.000Z',
    })
    first.reservations.reserve(105, 'j1')
    first.close()
    const again = open()
    expect(again.migration.from).toBe(again.migration.to)
    expect(again.jobs.get('j1')?.state).toBe('running')
    expect(again.reservations.reserved().get(105)).toBe('j1')
  })

  it('refuses a second process on the same DATA_DIR while the first holds it', () => {
    open()
    expect(() => openStore({ path: storePath(dir) })).toThrow(
      expect.objectContaining({ code: 'STORE_IN_USE' }),
    )
  })

  it('refuses a database written by a newer version', () => {
    open().close()
    const raw = new BetterSqlite3(storePath(dir))
    raw.pragma('user_version = 99')
    raw.close()
    expect(() => openStore({ path: storePath(dir) })).toThrow(/schema version 99/)
  })

  it('names the file when it cannot be created', () => {
    const notADirectory = join(dir, 'file')
    writeFileSync(notADirectory, '')
    const path = storePath(notADirectory)
    let caught: unknown
    try {
      openStore({ path })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(StoreError)
    expect(caught).toMatchObject({ code: 'STORE_OPEN_FAILED' })
    expect(caught instanceof Error ? caught.message : '').toContain(path)
  })

  it('in memory, for tests', () => {
    const store = open(':memory:')
    expect(store.jobs.list({ limit: 10 })).toEqual([])
  })
})

describe('migrate', () => {
  it('leaves the database at the last good migration when one fails', () => {
    const db = new BetterSqlite3(':memory:')
    const next = migrations.length + 1
    const broken = [
      ...migrations,
      { version: next, name: 'adds a table', sql: 'CREATE TABLE extra (x INTEGER);' },
      { version: next + 1, name: 'broken', sql: 'CREATE TABLE extra (x INTEGER);' },
    ]
    expect(() => migrate(db, broken)).toThrow(`migration ${next + 1} (broken)`)
    expect(schemaVersion(db)).toBe(next)
    db.close()
  })
})

describe('store error catalogue', () => {
  it('describes every code in one line, with the STORE_ prefix', () => {
    for (const [code, description] of Object.entries(storeErrorCodes)) {
      expect(code).toMatch(/^STORE_[A-Z_]+$/)
      expect(description).not.toContain('\n')
    }
  })
})
