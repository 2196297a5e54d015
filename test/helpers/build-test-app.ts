import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { buildApp, type AppDeps } from '../../src/app.js'
import { parseConfig, type Config } from '../../src/config/index.js'
import { parseAllowList } from '../../src/http/allow-ips/index.js'
import type { ImageStore } from '../../src/images/index.js'
import { osNames } from '../../src/images/os-catalog.js'
import {
  createJobRunner,
  recoverInterruptedJobs,
  type JobRunner,
  type RecoveredJob,
} from '../../src/jobs/index.js'
import type { Cluster } from '../../src/pve/cluster.js'
import type { CommandCounter } from '../../src/pve/drivers/cli/index.js'
import type { SimGuests } from '../../src/sim/guests/index.js'
import type { SimImageServer } from '../../src/sim/images/sim-image-server.js'
import type { Simulator } from '../../src/sim/index.js'
import { startCluster } from '../../src/start-cluster.js'
import { startInstallServices } from '../../src/start-install-services.js'
import { openStore, storePath, type Store } from '../../src/store/index.js'

export interface TestApp {
  /** base URL of the listening server, e.g. http://127.0.0.1:40123 */
  url: string
  app: FastifyInstance
  sim: Simulator
  cluster: Cluster
  jobs: JobRunner
  config: Config
  imageStore: ImageStore
  simGuests: SimGuests
  /** the simulator's image mirror (publish a new build of a release through it) */
  simImages: SimImageServer
  /** commands run per tool and subcommand, with PVE_DRIVER=cli */
  commandCounter: CommandCounter | undefined
  dataDir: string
  /** the SQLite store in DATA_DIR */
  store: Store
  /** what start-up recovery did with jobs an earlier run left unfinished */
  recovered: RecoveredJob[]
  close(): Promise<void>
}

export interface TestAppOptions {
  /** configuration variables on top of the test defaults (SIM_SPEED=0, a temporary DATA_DIR,
   * TEMPLATES=off, INSTALL_REBOOT=always) */
  env?: Record<string, string>
  app?: Partial<Omit<AppDeps, 'cluster' | 'jobs' | 'install'>>
  /** keep DATA_DIR after close (to start again on the same state) */
  dataDir?: string
  /** the service's logger (default silent), e.g. to capture every line a test must check */
  logger?: Logger
}

/**
 * Starts the real service as main.ts does — configuration, simulated cluster, image mirror,
 * simulated guests, HTTP app — on 127.0.0.1 (a random port), so tests talk HTTP to it like any
 * client would. The simulator answers instantly unless SIM_SPEED says otherwise.
 */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pve-qemu-test-'))
  const config = parseConfig({
    SIM_SPEED: '0',
    DATA_DIR: dataDir,
    GUEST_SSH_PORT: String(await freePort()),
    GUEST_SSH_TIMEOUT: '20',
    // the seed's path (import, always reboot) unless a test asks for templates or INSTALL_REBOOT=auto
    TEMPLATES: 'off',
    INSTALL_REBOOT: 'always',
    ...options.env,
  })
  const log = options.logger ?? pino({ level: 'silent' })
  const store = openStore({ path: storePath(dataDir) })
  const started = await startCluster(config)
  const simulator = started.simulator
  if (simulator === undefined) throw new Error('test apps run on the simulator')
  const install = await startInstallServices({
    config,
    cluster: started.cluster,
    store,
    simulator,
    log,
    mainNode: simulator.mainNode,
  })
  if (install.simGuests === undefined) throw new Error('test apps run simulated guests')
  const simImages = install.simImages
  if (simImages === undefined) throw new Error('test apps run the simulated image mirror')
  const protectedVms = { vmids: config.auth.protectedVmids, tag: config.auth.protectedTag }
  const recovered = await recoverInterruptedJobs({ store, cluster: started.cluster, log })
  const jobs = createJobRunner({
    store,
    maxConcurrent: { install: config.jobs.maxConcurrentInstalls },
  })
  const app = await buildApp({
    cluster: started.cluster,
    jobs,
    limits: {
      maxCpu: config.vm.maxCpu,
      maxRamMb: config.vm.maxRamMb,
      maxDiskGb: config.vm.maxDiskGb,
      balloonMinMb: config.vm.balloonMinMb,
    },
    allowList: parseAllowList(config.http.allowIps),
    trustedProxies: undefined,
    osNames,
    timezone: config.install.timezone,
    logger: log,
    heartbeatMs: 15_000,
    install: install.services,
    imageStats: () => install.imageStore.stats(),
    ...(started.commandCounter === undefined
      ? {}
      : { commandCounts: () => started.commandCounter?.snapshot() ?? {} }),
    apiTokens: config.auth.tokens,
    protectedVms,
    audit: store.audit,
    ...options.app,
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url,
    app,
    sim: simulator,
    cluster: started.cluster,
    jobs,
    config,
    imageStore: install.imageStore,
    simGuests: install.simGuests,
    simImages,
    commandCounter: started.commandCounter,
    dataDir,
    store,
    recovered,
    async close() {
      await jobs.stopAll()
      await app.close()
      await install.close()
      await started.close()
      store.close()
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** A TCP port nothing listens on right now, for the simulated guests' SSH. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** POST with an optional JSON body; returns status and text. */
export async function post(
  url: string,
  body?: unknown,
): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type') ?? '',
  }
}

export async function get(url: string): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url)
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type') ?? '',
  }
}
