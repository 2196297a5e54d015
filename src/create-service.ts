import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { buildApp, type AppDeps } from './app.js'
import type { Config } from './config/index.js'
import { createVmProtection } from './http/access/protected-vms.js'
import type { ImageStore } from './images/index.js'
import { osNames } from './images/os-catalog.js'
import {
  createJobRunner,
  recoverInterruptedJobs,
  type JobRunner,
  type RecoveredJob,
} from './jobs/index.js'
import { parseAllowList } from './lib/allow-list/index.js'
import {
  createPingProbe,
  createStoreAddressBook,
  noProbe,
  reconcileInBackground,
  type AddressBook,
  type AddressProbe,
} from './networks/index.js'
import { createReadyCheck } from './provision/lifecycle/ready-check.js'
import type { Cluster } from './pve/cluster.js'
import type { CommandCounter } from './pve/drivers/cli/index.js'
import type { SimRestFace } from './sim/faces/rest/index.js'
import type { SimGuests } from './sim/guests/index.js'
import type { SimImageServer } from './sim/images/sim-image-server.js'
import type { Simulator } from './sim/index.js'
import { startCluster } from './start-cluster.js'
import { startInstallServices } from './start-install-services.js'
import { openStore, storePath, type Store } from './store/index.js'

/**
 * What a caller may replace or add when it builds the service. An options object, so new
 * wiring (a readiness check, another hook) is one more optional field.
 */
export interface ServiceOverrides {
  /** the root logger (default: JSON lines at `config.logLevel`) */
  logger?: Logger
  /** settings of the HTTP app on top of what the configuration gives */
  app?: Partial<Omit<AppDeps, 'cluster' | 'jobs' | 'install'>>
}

/** The whole service, built and not yet listening. */
export interface Service {
  config: Config
  log: Logger
  app: FastifyInstance
  cluster: Cluster
  jobs: JobRunner
  store: Store
  /** who holds which address of which network (NETWORKS_FILE, or the default network) */
  addresses: AddressBook
  imageStore: ImageStore
  /** what start-up recovery did with jobs an earlier run left unfinished */
  recovered: RecoveredJob[]
  /** commands run per tool and subcommand, with the cli driver */
  commandCounter: CommandCounter | undefined
  /** the embedded simulator, its guests and REST face: only when the configuration selects it */
  simulator: Simulator | undefined
  simGuests: SimGuests | undefined
  /** the simulator's image mirror (a test publishes a new image build through it) */
  simImages: SimImageServer | undefined
  restFace: SimRestFace | undefined
  /** cancels running jobs (an install rolls back), then closes the app, the cluster, the store */
  close(): Promise<void>
}

/**
 * The composition root: builds the whole service from its configuration — store, cluster driver
 * (the simulator only when the configuration selects it, by a dynamic import), image store, guest
 * access, crash recovery, job runner, HTTP app. main.ts, `pve-qemu serve`, the tests and the
 * bench all start the service through here; nothing else wires parts together.
 */
export async function createService(
  config: Config,
  overrides: ServiceOverrides = {},
): Promise<Service> {
  const log = overrides.logger ?? pino({ level: config.logLevel })
  const closers: (() => Promise<void> | void)[] = []
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close()
  }
  try {
    const store = openStore({
      path: storePath(config.dataDir),
      auditRetention: {
        days: config.limits.auditRetentionDays,
        maxRows: config.limits.auditMaxRows,
      },
    })
    closers.push(() => store.close())
    const started = await startCluster(config, log)
    closers.push(() => started.close())
    const { simulator } = started
    const sim =
      simulator === undefined
        ? undefined
        : await (await import('./start-simulated.js')).startSimInstallExtras(config, simulator, log)
    if (sim !== undefined) closers.push(() => sim.close())
    const networksLog = log.child({ part: 'networks' })
    const probe: AddressProbe =
      config.networks.probe === 'off'
        ? noProbe
        : (sim?.addressProbe ?? createPingProbe({ warn: (message) => networksLog.warn(message) }))
    const addresses = createStoreAddressBook({
      networks: config.networks,
      table: store.addresses,
      cluster: started.cluster,
      probe,
      warn: (fields, message) => networksLog.warn(fields, message),
    })
    // the seed's network needs no read of the cluster at start: its address follows the VMID
    if (config.networks.fromFile) {
      closers.push(
        reconcileInBackground(addresses, {
          warn: (fields, message) => networksLog.warn(fields, message),
        }),
      )
    }
    const install = await startInstallServices({
      config,
      store,
      cluster: started.cluster,
      log,
      mainNode: config.pve.mainNode ?? simulator?.mainNode ?? '',
      addresses,
      ...(sim === undefined
        ? {}
        : { mirrors: sim.mirrors, lockRetry: sim.lockRetry, guestPollMs: sim.guestPollMs }),
    })
    closers.push(() => install.close())
    const protectedVms = { vmids: config.auth.protectedVmids, tag: config.auth.protectedTag }
    const protection = createVmProtection({ ...protectedVms, cluster: started.cluster })
    // before the API listens: what a crash left running is settled first
    const recovered = await recoverInterruptedJobs({
      store,
      cluster: started.cluster,
      log: log.child({ part: 'recovery' }),
      isProtected: (vmid, tags) => protection.isProtected(vmid, tags),
    })
    const jobs = createJobRunner({
      store,
      maxConcurrent: { install: config.jobs.maxConcurrentInstalls },
      maxQueued: { install: config.limits.maxQueuedInstalls },
      log: log.child({ part: 'jobs' }),
    })
    const { commandCounter } = started
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
      trustedProxies:
        config.http.trustProxy.length > 0 ? parseAllowList(config.http.trustProxy) : undefined,
      osNames,
      timezone: config.install.timezone,
      logger: log,
      install: install.services,
      // start, reboot and a live migration stream until the VM answers SSH
      waitUntilReady: createReadyCheck({
        cluster: started.cluster,
        gateway: config.network.gateway,
        guest: install.services.guest,
        agentTimeoutMs: config.install.guestSshTimeoutMs,
      }),
      imageStats: () => install.imageStore.stats(),
      imageDir: config.install.imageDir,
      ...(commandCounter === undefined ? {} : { commandCounts: () => commandCounter.snapshot() }),
      apiTokens: config.auth.tokens,
      protectedVms,
      audit: store.audit,
      security: config.security,
      serviceLimits: config.limits,
      dataDir: config.dataDir,
      storeHealth: () => store.health(),
      ...overrides.app,
    })
    closers.push(async () => {
      // running jobs are cancelled first (an install rolls back), so their streams end
      await jobs.stopAll()
      await app.close()
    })
    return {
      config,
      log,
      app,
      cluster: started.cluster,
      jobs,
      store,
      addresses,
      imageStore: install.imageStore,
      recovered,
      commandCounter,
      simulator,
      simGuests: sim?.simGuests,
      simImages: sim?.simImages,
      restFace: started.restFace,
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}
