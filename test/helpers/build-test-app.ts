import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import type { AppDeps } from '../../src/app.js'
import { parseConfig, type Config, type LimitsConfig } from '../../src/config/index.js'
import { createService } from '../../src/create-service.js'
import type { ImageStore } from '../../src/images/index.js'
import type { JobRunner, RecoveredJob } from '../../src/jobs/index.js'
import type { Cluster } from '../../src/pve/cluster.js'
import type { CommandCounter } from '../../src/pve/drivers/cli/index.js'
import type { SimGuests } from '../../src/sim/guests/index.js'
import type { SimImageServer } from '../../src/sim/images/sim-image-server.js'
import type { Simulator } from '../../src/sim/index.js'
import type { SimRestFace } from '../../src/sim/faces/rest/index.js'
import type { Store } from '../../src/store/index.js'

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
  /** the simulator's HTTPS face, with PVE_DRIVER=api */
  restFace: SimRestFace | undefined
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
  /** limits on top of the configured ones, e.g. timeouts in ms shorter than a setting allows */
  limits?: Partial<LimitsConfig>
}

/**
 * Starts the real service through the composition root main.ts uses (createService) —
 * configuration, simulated cluster, image mirror, simulated guests, HTTP app — on 127.0.0.1 (a random port), so tests talk HTTP to it like any
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
  const service = await createService(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    app: {
      heartbeatMs: 15_000,
      ...(options.limits === undefined
        ? {}
        : { serviceLimits: { ...config.limits, ...options.limits } }),
      ...options.app,
    },
  })
  const { simulator, simGuests, simImages } = service
  if (simulator === undefined || simGuests === undefined || simImages === undefined) {
    await service.close()
    throw new Error('test apps run on the simulator and its simulated guests')
  }
  const url = await service.app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url,
    app: service.app,
    sim: simulator,
    cluster: service.cluster,
    jobs: service.jobs,
    config,
    imageStore: service.imageStore,
    simGuests,
    simImages,
    commandCounter: service.commandCounter,
    restFace: service.restFace,
    dataDir,
    store: service.store,
    recovered: service.recovered,
    async close() {
      await service.close()
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
