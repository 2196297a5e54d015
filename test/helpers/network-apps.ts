import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { buildTestApp, type TestApp } from './build-test-app.js'

export interface NetworkApps {
  /** a service on the networks file, with `env` over the file's defaults */
  start: (env?: Record<string, string>) => Promise<TestApp>
  /** a service without any networks file */
  startWithout: (env?: Record<string, string>) => Promise<TestApp>
}

/**
 * The services of one test file on one NETWORKS_FILE (no ping probe of loopback addresses):
 * the file is written once for the file's tests, and each test's service is closed after it.
 * Registers its vitest hooks: call it at the top level of the test file.
 */
export function networkApps(networksFile: unknown, env: Record<string, string> = {}): NetworkApps {
  let dir = ''
  let current: TestApp | undefined
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pve-qemu-networks-'))
    writeFileSync(join(dir, 'networks.json'), JSON.stringify(networksFile))
  })
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  afterEach(async () => {
    await current?.close()
    current = undefined
  })
  const started = async (more: Record<string, string>): Promise<TestApp> => {
    current = await buildTestApp({ env: more })
    return current
  }
  return {
    start: (more = {}) =>
      started({ NETWORKS_FILE: join(dir, 'networks.json'), IP_PROBE: 'off', ...env, ...more }),
    startWithout: (more = {}) => started(more),
  }
}
