import { pino } from 'pino'
import { buildApp } from './app.js'
import { ConfigError, describeConfig, loadConfig, type Config } from './config/index.js'
import { parseAllowList } from './http/allow-ips/index.js'
import { rootLoggerOptions } from './http/logging/index.js'
import { osNames } from './images/os-catalog.js'
import { createJobRunner } from './jobs/index.js'
import { startCluster } from './start-cluster.js'
import { startInstallServices } from './start-install-services.js'

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
  const started = await startCluster(config, log)
  const install = await startInstallServices({
    config,
    cluster: started.cluster,
    simulator: started.simulator,
    log,
    mainNode: config.pve.mainNode ?? started.simulator?.mainNode ?? '',
  })
  const allowList = parseAllowList(config.http.allowIps)
  const trustedProxies =
    config.http.trustProxy.length > 0 ? parseAllowList(config.http.trustProxy) : undefined
  const app = await buildApp({
    cluster: started.cluster,
    jobs: createJobRunner(),
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
  })

  const address = await app.listen({ port: config.http.port, host: config.http.host })
  for (const line of describeConfig(config)) log.info(line)
  log.info(`driving ${started.cluster.description}`)
  log.info(`listening on ${address}`)
  log.info(`routes:\n${app.printRoutes({ commonPrefix: false })}`)

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    void app
      .close()
      .then(() => install.close())
      .then(() => started.close())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'unclean stop')
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `pve-qemu failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
