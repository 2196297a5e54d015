import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stateFileName } from '../../src/sim/state/persistence.js'
import { buildSim, call } from './helpers.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-state-mode-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the simulator state file', () => {
  it('holds password hashes, so it is readable by its owner only (0600), like the store', async () => {
    const file = join(dir, stateFileName)
    const first = await buildSim({ dataDir: dir })
    await call(first, 'PUT', '/nodes/pve1/qemu/100/config', { cipassword: 'kept-as-a-hash' })
    await first.close()
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    // left world-readable by an earlier version, with a stale temporary file beside it
    await chmod(file, 0o644)
    await writeFile(`${file}.tmp`, '', { mode: 0o666 })
    await chmod(`${file}.tmp`, 0o666)
    const second = await buildSim({ dataDir: dir })
    await call(second, 'PUT', '/nodes/pve1/qemu/100/config', { cipassword: 'another-one' })
    await second.close()
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })
})
