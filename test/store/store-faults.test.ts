import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, StoreError, storePath, type Store } from '../../src/store/index.js'

let dir: string
const opened: Store[] = []
const open = (options: Partial<Parameters<typeof openStore>[0]> = {}): Store => {
  const store = openStore({ path: storePath(dir), ...options })
  opened.push(store)
  return store
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pve-qemu-store-faults-'))
})
afterEach(() => {
  for (const store of opened.splice(0)) store.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The code and message of what `work` throws. */
function caught(work: () => unknown): { code: unknown; message: string } {
  try {
    work()
  } catch (error) {
    if (error instanceof StoreError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('nothing was thrown')
}

const job = (id: string) => ({
  id,
  type: 'install',
  state: 'running',
  summary: 'x'.repeat(2000),
  createdAt: '2026-01-01T00:00:00.000Z',
})

describe('a damaged database', () => {
  it('is refused at start with a line naming the file and what to do', () => {
    const store = open()
    for (let index = 0; index < 200; index += 1) store.jobs.insert(job(`j${index}`))
    store.close()
    opened.splice(0)
    // scribble over the middle of the file: a table page, past the header
    const size = statSync(storePath(dir)).size
    const fd = openSync(storePath(dir), 'r+')
    writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, Math.floor(size / 2 / 4096) * 4096)
    closeSync(fd)
    const thrown = caught(() => open())
    expect(thrown.code).toBe('STORE_CORRUPT')
    expect(thrown.message).toContain(storePath(dir))
    expect(thrown.message).toMatch(/restore DATA_DIR from a backup/)
  })

  it('is refused when the file is not a database at all', () => {
    const fd = openSync(storePath(dir), 'w')
    writeSync(fd, Buffer.alloc(16384, 0x41))
    closeSync(fd)
    expect(caught(() => open()).code).toBe('STORE_CORRUPT')
  })
})

describe('a store that cannot write', () => {
  it('fails the write with STORE_WRITE_FAILED, reports it, and recovers when space returns', () => {
    const store = open()
    expect(store.health()).toEqual({ writable: true })
    store.limitGrowth(0)
    const thrown = caught(() => {
      for (let index = 0; index < 100; index += 1) store.jobs.insert(job(`f${index}`))
    })
    expect(thrown.code).toBe('STORE_WRITE_FAILED')
    expect(thrown.message).toContain('disk is full')
    expect(store.health().writable).toBe(false)
    expect(store.health().error).toContain('disk is full')
    store.limitGrowth(undefined)
    store.jobs.insert(job('after'))
    expect(store.health()).toEqual({ writable: true })
  })
})

describe('audit retention', () => {
  it('keeps at most AUDIT_MAX_ROWS entries and cuts long paths', () => {
    const store = open({ auditRetention: { days: 90, maxRows: 100 } })
    for (let index = 0; index < 450; index += 1) {
      store.audit.record({
        actor: 'anonymous',
        address: '127.0.0.1',
        action: `POST /${'a'.repeat(10_000)}`,
        status: 401,
        result: 'AUTH_REQUIRED',
      })
    }
    store.audit.prune()
    const kept = store.audit.recent(1000)
    expect(kept.length).toBeLessThanOrEqual(100)
    expect(Math.max(...kept.map((entry) => entry.action.length))).toBeLessThanOrEqual(120)
  })

  it('drops entries older than AUDIT_RETENTION_DAYS', () => {
    let now = new Date('2026-01-01T00:00:00Z')
    const store = open({ now: () => now, auditRetention: { days: 7, maxRows: 1000 } })
    const entry = { actor: 'a', address: '::1', action: 'POST /x', status: 200, result: 'ok' }
    store.audit.record(entry)
    store.audit.countRefusal({ address: '::1', reason: 'AUTH_REQUIRED', action: 'POST /y' })
    now = new Date('2026-01-09T00:00:00Z')
    store.audit.record(entry)
    store.audit.prune()
    expect(store.audit.recent(10).map((kept) => kept.at)).toEqual(['2026-01-09T00:00:00.000Z'])
    expect(store.audit.refusals(10)).toEqual([])
  })
})
