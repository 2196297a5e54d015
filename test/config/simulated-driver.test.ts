import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.js'
import { startCluster, type StartedCluster } from '../../src/start-cluster.js'
import { createStoreAddressBook, noProbe } from '../../src/networks/index.js'
import { startInstallServices, storageLockRetry } from '../../src/start-install-services.js'
import { openStore } from '../../src/store/index.js'
import { parseProblems } from '../helpers/config-problems.js'

const token = {
  PVE_TOKEN_ID: 'pve-qemu@pve!service',
  PVE_TOKEN_SECRET: '0b5f6c1e-7a3d-4f1b-9e2a-5c8d7e6f4a3b',
}

describe('which configurations drive the simulator', () => {
  it.each([
    [{}, 'sim', true],
    [{ PVE_DRIVER: 'sim', MAIN_NODE: 'pve1' }, 'sim', true],
    [{ PVE_DRIVER: 'cli' }, 'cli', true],
    [{ MAIN_NODE: 'pve1', GATEWAY: '10.0.0.1' }, 'cli', false],
    [{ PVE_DRIVER: 'api' }, 'api', true],
    [
      {
        PVE_DRIVER: 'api',
        MAIN_NODE: 'pve1',
        GATEWAY: '10.0.0.1',
        PVE_API_URL: 'https://pve1:8006',
        ...token,
      },
      'api',
      false,
    ],
  ])('%j: driver %s, simulated %s', (vars, driver, simulated) => {
    expect(parseConfig(vars).pve).toMatchObject({ driver, simulated })
  })

  it('refuses PVE_DRIVER=api with MAIN_NODE but no PVE_API_URL, naming the variable', () => {
    expect(parseProblems({ PVE_DRIVER: 'api', MAIN_NODE: 'pve1', GATEWAY: '10.0.0.1' })).toEqual([
      'PVE_API_URL: is required with PVE_DRIVER=api and MAIN_NODE (a real cluster): https://<node>:8006; unset MAIN_NODE to try the api driver on the simulator',
    ])
  })

  it('lists that problem with the others at once', () => {
    expect(parseProblems({ PVE_DRIVER: 'api', MAIN_NODE: 'pve1', PORT: 'x' })).toEqual([
      'PORT: must be an integer from 1 to 65535, got "x"',
      'PVE_API_URL: is required with PVE_DRIVER=api and MAIN_NODE (a real cluster): https://<node>:8006; unset MAIN_NODE to try the api driver on the simulator',
      "GATEWAY: is required when PVE_DRIVER is api: the IPv4 gateway of the VMs' network",
    ])
  })

  it('refuses PVE_API_URL without MAIN_NODE: the node new VMs are created on', () => {
    expect(
      parseProblems({
        PVE_DRIVER: 'api',
        GATEWAY: '10.0.0.1',
        PVE_API_URL: 'https://pve1:8006',
        ...token,
      }),
    ).toEqual(['MAIN_NODE: is required with PVE_API_URL: the node new VMs are created on'])
  })
})

describe('SIM_* settings on a real cluster', () => {
  let dir: string | undefined
  let started: StartedCluster | undefined
  afterEach(async () => {
    await started?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('leave the storage-lock retry interval of a real deployment alone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pve-qemu-simspeed-'))
    // a cluster to hand over; the services under test never learn it is simulated
    started = await startCluster(parseConfig({ SIM_SPEED: '0', DATA_DIR: join(dir, 'sim') }))
    const log = pino({ level: 'silent' })
    for (const speed of ['0.01', '3']) {
      const config = parseConfig({
        MAIN_NODE: 'pve1',
        GATEWAY: '10.0.0.1',
        SIM_SPEED: speed,
        DATA_DIR: join(dir, 'real'),
      })
      expect(config.pve.simulated).toBe(false)
      const store = openStore({ path: ':memory:' })
      const install = await startInstallServices({
        config,
        store,
        cluster: started.cluster,
        log,
        mainNode: 'pve1',
        addresses: createStoreAddressBook({
          networks: config.networks,
          table: store.addresses,
          cluster: started.cluster,
          probe: noProbe,
          warn: () => undefined,
        }),
      })
      expect(install.services.lockRetry).toEqual({ attempts: 6, baseDelayMs: 1000 })
      expect(storageLockRetry.baseDelayMs).toBe(1000)
      await install.close()
      store.close()
    }
  })
})
