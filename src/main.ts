import { pino } from 'pino'
import { buildApp } from './app.js'
import { ConfigError, describeConfig, loadConfig, type Config } from './config/index.js'
import { describeAuth } from './config/sections/auth.js'
import { accessWarning } from './http/access/access-warning.js'
import { createVmProtection } from './http/access/protected-vms.js'
import { parseAllowList } from './http/allow-ips/index.js'
import { rootLoggerOptions } from './http/logging/index.js'
import { osNames } from './images/os-catalog.js'
import { createJobRunner, recoverInterruptedJobs } from './jobs/index.js'
import { startCluster } from './start-cluster.js'
import { startInstallServices } from './start-install-services.js'
import { openStore, storePath } from './store/index.js'
import { explainListenError } from './http/listen/explain-listen-error.js'

/** The process: load config, start the cluster driver and the HTTP app, stop cleanly on signals. */
async function main(): Promise<void> {
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `pve-qemu cannot start; fix these settings:\n${error.problems.map((p) => `  ${p}\n`).join('')}`,
      )
      process.exit(1)
    }
    throw error
  }

  // readable lines on a terminal (development), JSON everywhere else (systemd, containers)
  const log = pino(rootLoggerOptions({ level: config.logLevel, pretty: process.stdout.isTTY }))
  const store = openStore({ path: storePath(config.dataDir) })
  const started = await startCluster(config, log)
  const install = await startInstallServices({
    config,
    store,
    cluster: started.cluster,
    simulator: started.simulator,
    log,
    mainNode: config.pve.mainNode ?? started.simulator?.mainNode ?? '',
  })
  const allowList = parseAllowList(config.http.allowIps)
  const trustedProxies =
    config.http.trustProxy.length > 0 ? parseAllowList(config.http.trustProxy) : undefined
  const protectedVms = { vmids: config.auth.protectedVmids, tag: config.auth.protectedTag }
  const protection = createVmProtection({ ...protectedVms, cluster: started.cluster })
  // before the API listens: what a crash left running is settled first
  await recoverInterruptedJobs({
    store,
    cluster: started.cluster,
    log: log.child({ part: 'recovery' }),
    isProtected: (vmid, tags) => protection.isProtected(vmid, tags),
  })
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
    allowList,
    trustedProxies,
    osNames,
    timezone: config.install.timezone,
    logger: log,
    install: install.services,
    imageStats: () => install.imageStore.stats(),
    imageDir: config.install.imageDir,
    ...commandCountsOf(started.commandCounter),
    apiTokens: config.auth.tokens,
    protectedVms,
    audit: store.audit,
  })

  const address = await app
    .listen({ port: config.http.port, host: config.http.host })
    .catch((error: unknown) => {
      throw explainListenError(error, config.http.port, config.http.host)
    })
  for (const line of describeConfig(config)) log.info(line)
  log.info(describeAuth(config.auth, config.jobs))
  const warning = accessWarning({ tokens: config.auth.tokens.length, allowList })
  if (warning !== undefined) log.warn(warning)
  log.info(`driving ${started.cluster.description}`)
  log.info(`listening on ${address}`)
  log.info(`routes:\n${app.printRoutes({ commonPrefix: false })}`)

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    // running jobs are cancelled (an install rolls back) so their streams end and nothing is
    // left half made; then the listener, the services and the store close
    void jobs
      .stopAll()
      .then(() => app.close())
      .then(() => install.close())
      .then(() => started.close())
      .then(() => {
        store.close()
        process.exit(0)
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'unclean stop')
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

/** The cli driver's command counts for /metrics, when that driver runs. */
function commandCountsOf(counter: { snapshot(): Record<string, number> } | undefined): {
  commandCounts?: () => Record<string, number>
} {
  return counter === undefined ? {} : { commandCounts: () => counter.snapshot() }
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `pve-qemu failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
