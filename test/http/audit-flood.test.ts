import { statSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { storePath } from '../../src/store/index.js'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const token = 'flood-test-token-0123456789abcdef'

/** Bytes the database takes on disk: the file and its write-ahead log. */
function storeBytes(dataDir: string): number {
  const path = storePath(dataDir)
  const size = (file: string): number => {
    try {
      return statSync(file).size
    } catch {
      return 0
    }
  }
  return size(path) + size(`${path}-wal`)
}

describe('a flood of refused requests without a token', () => {
  it('is counted, not stored row by row: the database stays within a bound', async () => {
    t = await buildTestApp({ env: { API_TOKENS: `ci:${token}`, AUDIT_MAX_ROWS: '100' } })
    const { url, dataDir, store } = t
    const before = storeBytes(dataDir)
    const longPath = `/api/vm/101/destroy/${'A'.repeat(12_000)}`
    const total = 500
    let sent = 0
    const worker = async (): Promise<void> => {
      while (sent < total) {
        sent += 1
        const response = await fetch(`${url}${longPath}?n=${sent}`, { method: 'POST' })
        await response.arrayBuffer()
        expect(response.status).toBe(401)
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    // one more, so the last refusal has surely been seen; closing writes the gathered counts
    await (
      await fetch(`${url}/api/vm/list`, { headers: { authorization: `Bearer ${token}` } })
    ).text()
    await t.app.close()

    // 500 rows of 12 KB paths took over 6 MB before; now a few short rows and one counter
    expect(storeBytes(dataDir) - before).toBeLessThan(1024 * 1024)
    const rows = store.audit.recent(1000)
    expect(rows.length).toBeLessThanOrEqual(100)
    expect(Math.max(...rows.map((row) => row.action.length))).toBeLessThanOrEqual(120)
    const [counter] = store.audit.refusals(10)
    expect(counter).toMatchObject({ address: '127.0.0.1', reason: 'AUTH_REQUIRED' })
    expect((counter?.count ?? 0) + rows.length).toBeGreaterThanOrEqual(total)
    expect(counter?.sample.length).toBeLessThanOrEqual(120)
  })
})
