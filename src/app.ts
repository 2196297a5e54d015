import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { hostname } from 'node:os'
import { allowIpsHook } from './http/access/allow-ips-hook.js'
import { createTokenVerifier, type ApiTokenEntry } from './http/access/api-tokens.js'
import { auditHook, type AuditHookOptions } from './http/access/audit-hook.js'
import { originHook } from './http/access/origin-hook.js'
import { createVmProtection } from './http/access/protected-vms.js'
import { templateVmHook } from './http/access/template-vm-hook.js'
import { tokenHook } from './http/access/token-hook.js'
import type { AllowList } from './http/allow-ips/index.js'
import type { LimitsConfig, SecurityConfig } from './config/index.js'
import { errorHandler } from './http/errors/error-handler.js'
import { createFollowerLimits } from './http/follower-limits.js'
import { acceptEmptyJsonBodies } from './http/json-body-parser.js'
import { requestIdHeader, requestIdOf } from './http/logging/index.js'
import {
  createMetrics,
  instrumentCluster,
  instrumentJobs,
  metricsPlugin,
  type ImageCacheStats,
} from './http/metrics/index.js'
import { openApi } from './http/openapi/index.js'
import { healthRoutes } from './http/routes/health-routes.js'
import { installRoutes } from './http/routes/install-routes.js'
import { jobRoutes } from './http/routes/job-routes.js'
import { networkRoutes } from './http/routes/network-routes.js'
import { osRoutes } from './http/routes/os-routes.js'
import { scriptRoutes } from './http/routes/script-routes.js'
import { templateRoutes } from './http/routes/template-routes.js'
import { vmInfoRoutes } from './http/routes/vm-info-routes.js'
import { vmRoutes } from './http/routes/vm-routes.js'
import { webRoutes } from './http/routes/web-routes.js'
import { strictIntegers } from './http/schemas/strict-integers.js'
import { lazySchemaCompilers } from './http/server/lazy-schema-compilers.js'
import { limitConnections } from './http/server/limit-connections.js'
import { osCatalog } from './images/os-catalog.js'
import {
  createCredentialVault,
  createInstallAdmission,
  nameJobHolders,
  observeJobs,
  type JobRunner,
} from './jobs/index.js'
import {
  createPendingTracker,
  createVmLocator,
  type LifecycleDeps,
  type VmLimits,
} from './provision/lifecycle/index.js'
import type { InstallDeps } from './provision/install/deps.js'
import { createVmLocks } from './provision/vm-locks.js'
import type { Cluster } from './pve/cluster.js'
import type { StoreHealthState } from './store/index.js'

export interface AppDeps {
  cluster: Cluster
  jobs: JobRunner
  limits: VmLimits
  allowList: AllowList
  trustedProxies: AllowList | undefined
  /** tags that name an OS in the VM list */
  osNames: ReadonlySet<string>
  /** the root pino logger; request logs are its children */
  logger: FastifyBaseLogger
  /** time zone the first-boot scripts set */
  timezone: string
  /** SSE heartbeat interval */
  heartbeatMs?: number
  /** largest request body accepted, bytes */
  bodyLimit?: number
  /** the SSH readiness check start, reboot and a live migration wait on (`createReadyCheck`) */
  waitUntilReady: LifecycleDeps['waitUntilReady']
  /** what the install pipeline needs besides the cluster, locator, locks and limits */
  install: InstallServices
  /** the image store's cache counters, for /metrics (`imageStore.stats`) */
  imageStats?: () => ImageCacheStats
  /** IMAGE_DIR, whose size /metrics reports */
  imageDir?: string
  /** the cli driver's command counts, for /metrics, when that driver runs */
  commandCounts?: () => Record<string, number>
  /** the built dashboard; default web/dist of this checkout */
  webDir?: string
  /** API tokens (`config.auth.tokens`); none means no token is needed */
  apiTokens?: readonly ApiTokenEntry[]
  /** VMs the API never stops, changes or destroys (`PROTECTED_VMIDS`, `PROTECTED_TAG`) */
  protectedVms?: { vmids: readonly number[]; tag: string | undefined }
  /** where every changing or refused request is recorded (the store's audit table) */
  audit?: AuditHookOptions['audit']
  /** which host names and web origins may reach the API (`config.security`) */
  security: SecurityConfig
  /** timeouts and caps (`config.limits`) */
  serviceLimits: LimitsConfig
  /** DATA_DIR, whose free space an install needs */
  dataDir: string
  /** the store's write state (`store.health`) */
  storeHealth: () => StoreHealthState
  /** free bytes of a directory's filesystem; default statfs (tests make a disk look full) */
  freeBytes?: (dir: string) => number
}

/** The version the OpenAPI document states. */
const serviceVersion = '0.1.0'

export type InstallServices = Omit<InstallDeps, 'cluster' | 'locator' | 'locks' | 'limits'>

/** Paths every caller may reach, whatever ALLOW_IPS says. */
const openPaths = ['/api/health', '/sh']
/** The dashboard's static files need no token (they hold no data; the page asks for one). */
const dashboardFiles = ['/', '/app.js', '/app.css']

/**
 * Builds the HTTP app on the given cluster driver and job runner; does not listen. Every test
 * builds its own; only main.ts starts one for real.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits = deps.serviceLimits
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false } },
    // each route's schemas compile on its first request, not all before the first `ok`
    schemaController: { compilersFactory: lazySchemaCompilers() },
    genReqId: requestIdOf,
    // receiving a request is timed, answering it is not: SSE streams live as long as their job
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: checkingInterval(limits),
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  limitConnections(app.server, limits.maxConnections)
  const followerLimits = createFollowerLimits({
    perJob: limits.maxFollowersPerJob,
    total: limits.maxFollowers,
  })
  app.decorate('followerLimits', followerLimits)
  app.addHook('onRequest', async (request, reply) => {
    // on the raw response, so SSE streams (which write their own head) answer it too
    reply.raw.setHeader(requestIdHeader, request.id)
  })

  acceptEmptyJsonBodies(app, { maxDepth: limits.maxBodyDepth })
  await app.register(errorHandler)
  await app.register(strictIntegers)
  if (deps.audit !== undefined) {
    await app.register(auditHook, {
      audit: deps.audit,
      trustedProxies: deps.trustedProxies,
      refusalRowsPerMinute: limits.auditRefusalsPerMinute,
    })
  }
  await app.register(originHook, {
    // the machine's own name is how people on the LAN usually reach it; other names are listed
    allowedHosts: [...deps.security.allowedHosts, ...ownHostNames()],
    allowOrigins: deps.security.allowOrigins,
    open: { prefixes: openPaths },
  })
  await app.register(allowIpsHook, {
    allowList: deps.allowList,
    trustedProxies: deps.trustedProxies,
    openPaths,
  })
  await app.register(tokenHook, {
    verifier: createTokenVerifier(deps.apiTokens ?? []),
    open: { prefixes: openPaths, exact: dashboardFiles },
  })

  const metrics = createMetrics({
    listJobs: () => deps.jobs.list(),
    imageStats: deps.imageStats,
    commandCounts: deps.commandCounts,
    resources: () => deps.cluster.resources(),
    imageDir: deps.imageDir,
  })
  await app.register(openApi, { version: serviceVersion })
  await app.register(metricsPlugin, { metrics })
  const cluster = instrumentCluster(deps.cluster, metrics)
  const credentials = createCredentialVault()
  const observed = observeJobs(instrumentJobs(deps.jobs, metrics), credentials)
  const { jobs } = observed

  const lifecycle: LifecycleDeps = {
    cluster,
    locator: createVmLocator(cluster),
    locks: nameJobHolders(createVmLocks(), jobs),
    limits: deps.limits,
    pending: createPendingTracker(),
    waitUntilReady: deps.waitUntilReady,
    networks: deps.install.networks,
    addresses: deps.install.addresses,
  }
  const protection = createVmProtection({
    vmids: deps.protectedVms?.vmids ?? [],
    tag: deps.protectedVms?.tag,
    cluster,
  })
  const templates = deps.install.templates
  await app.register(templateVmHook, {
    isTemplate: async (vmid) =>
      templates === undefined
        ? (await cluster.resources()).vms.some((vm) => vm.vmid === vmid && vm.template === true)
        : templates.isTemplate(vmid),
    templateVmids: () => templates?.knownVmids() ?? new Set(),
  })
  await app.register(templateRoutes, { prefix: '/api', templates })
  const admission = createInstallAdmission({
    dataDir: deps.dataDir,
    minFreeDiskMb: limits.minFreeDiskMb,
    storeHealth: deps.storeHealth,
    ...(deps.freeBytes === undefined ? {} : { freeBytes: deps.freeBytes }),
  })
  await app.register(healthRoutes, {
    prefix: '/api',
    report: () => ({
      store: deps.storeHealth(),
      disk: { free_mb: admission.freeDiskMb(), min_free_mb: limits.minFreeDiskMb },
      jobs: jobs.counts().install,
      streams: followerLimits.open,
    }),
  })
  await app.register(scriptRoutes, { timezone: deps.timezone })
  await app.register(installRoutes, {
    prefix: '/api',
    install: { ...deps.install, ...lifecycle, limits: deps.limits },
    jobs,
    admission,
    protection,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
  })
  await app.register(vmRoutes, {
    prefix: '/api',
    lifecycle,
    jobs,
    protection,
    osNames: deps.osNames,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
    steps: observed.steps,
  })
  await app.register(vmInfoRoutes, {
    prefix: '/api',
    lifecycle,
    jobs,
    osNames: deps.osNames,
    guestSshPort: deps.install.guestSshPort,
  })
  await app.register(jobRoutes, {
    prefix: '/api',
    jobs,
    credentials,
    heartbeatMs: deps.heartbeatMs ?? 15_000,
  })
  await app.register(osRoutes, { prefix: '/api', catalog: osCatalog })
  await app.register(networkRoutes, {
    prefix: '/api',
    networks: deps.install.networks,
    addresses: deps.install.addresses,
  })
  await app.register(webRoutes, { webDir: deps.webDir })
  return app
}

/** How often Node looks for requests past their time: often enough to keep the timeouts. */
function checkingInterval(limits: LimitsConfig): number {
  const shortest = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)
  return Math.min(30_000, Math.max(25, Math.floor(shortest / 4)))
}

/** This machine's host name, bare and as its first label (`pve1.lan` → `pve1.lan`, `pve1`). */
function ownHostNames(): string[] {
  const name = hostname().toLowerCase()
  const label = name.split('.')[0] ?? name
  return label === name ? [name] : [name, label]
}
