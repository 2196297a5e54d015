import { pino } from 'pino'
import { ConfigError, describeConfig, loadConfig, type Config } from './config/index.js'
import { describeAuth } from './config/sections/auth.js'
import { createService } from './create-service.js'
import { accessWarning } from './http/access/access-warning.js'
import { rootLoggerOptions } from './http/logging/index.js'
import { parseAllowList } from './lib/allow-list/index.js'

/**
 * The service as a process: loads the configuration from `env` (and `.env`), builds the service
 * through {@link createService}, listens, and stops cleanly on SIGTERM/SIGINT. main.ts and
 * `pve-qemu serve` both run it; it owns the process from here (signals, exit status).
 */
export async function runService(env: NodeJS.ProcessEnv): Promise<void> {
  let config: Config
  try {
    config = loadConfig(env)
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
  const service = await createService(config, { logger: log })
  const { app } = service

  const address = await app.listen({ port: config.http.port, host: config.http.host })
  for (const line of describeConfig(config)) log.info(line)
  log.info(describeAuth(config.auth, config.jobs))
  const allowList = parseAllowList(config.http.allowIps)
  const warning = accessWarning({ tokens: config.auth.tokens.length, allowList })
  if (warning !== undefined) log.warn(warning)
  log.info(`driving ${service.cluster.description}`)
  log.info(`listening on ${address}`)
  log.info(`routes:\n${app.printRoutes({ commonPrefix: false })}`)

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping')
    // running jobs are cancelled (an install rolls back) so their streams end and nothing is
    // left half made; then the listener, the services and the store close
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'unclean stop')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}
