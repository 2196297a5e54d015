import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import type { InstallServices } from './app.js'
import type { Config } from './config/index.js'
import {
  loadOrCreateServiceKey,
  runGuestScript,
  rebootAndWaitForSsh,
  waitForSsh,
  type HostKeyStore,
} from './guest/index.js'
import { GuestSession } from './guest/guest-session.js'
import { openTcpConnection } from './guest/open-tcp-connection.js'
import { rebootCheckOf } from './guest/reboot-required.js'
import { runGuestCheck } from './guest/run-guest-check.js'
import { createImageStore, type ImageStore, type Mirrors } from './images/index.js'
import { commonCpuLevel, cpuLevelOf, type CpuLevel } from './provision/install/cpu-level.js'
import { createPublishedImageSource } from './provision/install/image-transfer-checksum.js'
import { createDownloadUrlTransfer } from './provision/install/image-transfer-download-url.js'
import { hashPassword } from './provision/install/password.js'
import type { GuestPort, ImagePort } from './provision/install/ports.js'
import { createWorkQueue } from './provision/install/work-queue.js'
import {
  createDryRunSupport,
  type InstallHistory,
} from './provision/install/dry-run/dry-run-support.js'
import { planCommandLines } from './pve/drivers/cli/plan-commands.js'
import { createTemplateService } from './provision/templates/template-service.js'
import type { AddressBook } from './networks/index.js'
import type { Cluster } from './pve/cluster.js'
import type { Store } from './store/index.js'

export interface StartedInstallServices {
  services: InstallServices
  imageStore: ImageStore
  close(): Promise<void>
}

export interface InstallServicesOptions {
  config: Config
  /** where VMID reservations and the guests' host keys are kept */
  store: Pick<Store, 'reservations' | 'guestHostKeys' | 'creations'> &
    Partial<Pick<Store, 'jobs' | 'events'>>
  cluster: Cluster
  /** where images come from (default `config.install.mirrors`; the simulator's loopback mirror) */
  mirrors?: Mirrors
  log: Logger
  /** the main node's name (the simulator's when it runs) */
  mainNode: string
  /** retries of Proxmox storage-lock timeouts (default `storageLockRetry`; the simulator's scale) */
  lockRetry?: InstallServices['lockRetry']
  /** pause between SSH readiness attempts (default `guestPollMs`; the simulator's scale) */
  guestPollMs?: number
  /** the network address book (createService builds it over the store) */
  addresses: AddressBook
}

/**
 * Part of the composition root: builds what the install pipeline needs from the configuration
 * — image store, guest SSH with the service key, reservations, the storage queue.
 */
export async function startInstallServices(
  options: InstallServicesOptions,
): Promise<StartedInstallServices> {
  const { config, cluster, log } = options
  const mirrors: Mirrors = options.mirrors ?? { ...config.install.mirrors }
  const imageStore = createImageStore({
    imageDir: config.install.imageDir,
    log: log.child({ part: 'images' }),
    mirrors,
    proxy: {
      httpProxy: config.proxy.httpProxy?.reveal(),
      httpsProxy: config.proxy.httpsProxy?.reveal(),
      noProxy: config.proxy.noProxy,
    },
  })
  const serviceKey = loadOrCreateServiceKey(config.dataDir)
  const hostKeys = options.store.guestHostKeys
  const guest = createGuestPort({
    port: config.install.guestSshPort,
    timeoutMs: config.install.guestSshTimeoutMs,
    privateKey: serviceKey.privateKey,
    publicKey: serviceKey.publicKey,
    hostKeys,
    pollMs: options.guestPollMs ?? guestPollMs,
  })
  const rootPassword = config.vm.rootPassword
  const storageQueue = createWorkQueue(config.install.storageQueueConcurrency)
  const services: InstallServices = {
    network: config.network,
    networks: config.networks,
    addresses: options.addresses,
    agentTimeoutMs: config.install.guestSshTimeoutMs,
    guestAgentVendorData: config.install.guestAgentVendorData,
    mainNode: options.mainNode,
    storage: config.pve.storage,
    reservations: options.store.reservations,
    creations: options.store.creations,
    images: createImagePort(imageStore),
    guest,
    clusterCpuLevel: createCpuLevelCache(cluster),
    storageQueue,
    rootPasswordHash: rootPassword === undefined ? undefined : hashPassword(rootPassword.reveal()),
    timezone: config.install.timezone,
    guestSshPort: config.install.guestSshPort,
    adminKeys: readAdminKeys(config.install.adminKeysFile),
    lockRetry: options.lockRetry ?? storageLockRetry,
    ...restrictedInstall(cluster, imageStore),
    reboot: config.templates.reboot,
    dryRun: createDryRunSupport({
      imageStore,
      history: installHistory(options.store),
      ...(config.pve.driver === 'cli'
        ? { commandLines: (ops) => planCommandLines(ops, options.mainNode) }
        : {}),
    }),
    ...(config.templates.mode === 'off'
      ? {}
      : {
          templates: createTemplateService({
            cluster,
            vmidStart: config.templates.vmidStart,
            vmidEnd: config.templates.vmidEnd,
            storageQueue,
            log: log.child({ part: 'templates' }),
          }),
        }),
  }
  return {
    services,
    imageStore,
    // the image store's idle connections
    close: () => imageStore.close(),
  }
}

/**
 * A booting VM's SSH is tried every 200 ms (each try first a TCP connect, which a VM without sshd
 * yet refuses at once, at no cost to it): the install notices sshd at most that late. SIM_SPEED
 * scales only the simulator's, as its boot.
 */
export const guestPollMs = 200

/** Proxmox's storage-lock timeouts are retried from 1 s on; SIM_SPEED scales only the simulator's. */
export const storageLockRetry = { attempts: 6, baseDelayMs: 1000 } as const

/**
 * What an API token cannot do the root way: the node downloads the image (no filesystem path).
 * (`ciupgrade 0` needs nothing special: a token sets it with VM.Config.Cloudinit or
 * VM.Config.Network, pve.md §10.6.)
 */
function restrictedInstall(
  cluster: Cluster,
  imageStore: ImageStore,
): Pick<InstallServices, 'imageTransfer'> {
  const access = cluster.restricted
  if (access === undefined) return {}
  return {
    imageTransfer: createDownloadUrlTransfer({
      cluster,
      access,
      source: createPublishedImageSource({ resolve: (release) => imageStore.resolve(release) }),
    }),
  }
}

function createImagePort(store: ImageStore): ImagePort {
  return {
    imageUrl: (release) => store.resolve(release).imageUrl,
    async check(release, { signal }) {
      const result = await store.check(release, { signal })
      return { bytes: result.sizeBytes }
    },
    async ensure(release, { signal, onProgress }) {
      const image = await store.ensure(release, { signal, onProgress })
      return { path: image.path, downloaded: image.downloaded, bytes: image.bytes, sha: image.sha }
    },
  }
}

interface GuestPortOptions {
  pollMs: number
  port: number
  timeoutMs: number
  privateKey: string
  publicKey: string
  hostKeys: HostKeyStore
}

function createGuestPort(options: GuestPortOptions): GuestPort {
  const { port, timeoutMs, privateKey, hostKeys } = options
  const target = (host: string, username: string): Parameters<typeof waitForSsh>[0] => ({
    host,
    port,
    username,
    privateKey,
    hostKeys,
    timeoutMs,
    pollMs: options.pollMs,
  })
  return {
    servicePublicKey: async () => options.publicKey,
    async isAnswering(ip, signal) {
      try {
        const socket = await openTcpConnection({ host: ip, port, timeoutMs: 300, signal })
        socket.destroy()
        return true
      } catch {
        return false
      }
    },
    waitForAnswer: (ip, user, { signal, onAttempt }) =>
      waitForSsh({
        ...target(ip, user),
        signal,
        readyWhen: 'answering',
        onAttempt: ({ attempt, reason }) => onAttempt(attempt, reason),
      }),
    session(ip, user) {
      const base = target(ip, user)
      const session = new GuestSession(base)
      return {
        waitForSsh: ({ signal }) =>
          waitForSsh({ ...base, signal, keep: (client) => session.adopt(client) }),
        runScript: (script, { signal, onLine }) =>
          runGuestScript({ ...base, session, script, signal, onLine: (line) => onLine(line) }),
        async rebootRequired(release, { signal }) {
          const check = rebootCheckOf(release)
          const exit = await runGuestCheck({
            ...base,
            session,
            argv: check.argv,
            what: 'reboot check',
            signal,
            timeoutMs: 30_000,
          })
          return check.read(exit.exitCode)
        },
        rebootAndWait: (reboot, { signal }) =>
          rebootAndWaitForSsh({
            ...base,
            session,
            reboot: (inner) => reboot(inner ?? signal),
            downTimeoutMs: timeoutMs,
            signal,
          }),
        close: () => session.close(),
      }
    },
    forgetHost: (ip) => hostKeys.forget(ip),
  }
}

/** The cluster's common CPU level, read once per set of nodes (a node joining recomputes it). */
function createCpuLevelCache(cluster: Cluster): () => Promise<CpuLevel> {
  let cached: { nodes: string; level: CpuLevel } | undefined
  return async () => {
    const { nodes } = await cluster.resources()
    const names = nodes
      .map((node) => node.node)
      .sort()
      .join(',')
    if (cached?.nodes === names) return cached.level
    const statuses = await Promise.all(nodes.map((node) => cluster.nodeStatus(node.node)))
    const level = commonCpuLevel(statuses.map((status) => cpuLevelOf(status.cpuFlags)))
    cached = { nodes: names, level }
    return level
  }
}

function readAdminKeys(path: string | undefined): string[] {
  if (path === undefined) return []
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

/** Earlier successful installs and their events, from the store (none without one). */
function installHistory(store: InstallServicesOptions['store']): InstallHistory {
  const { jobs, events } = store
  if (jobs === undefined || events === undefined)
    return { succeededInstalls: () => [], events: () => [] }
  return {
    succeededInstalls: (limit) =>
      jobs.list({ type: 'install', state: 'succeeded', limit }).map((job) => job.id),
    events: (jobId) => events.after(jobId, 0),
  }
}
