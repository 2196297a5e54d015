import { resolve } from 'node:path'
import type { Config, LogLevel } from './config.js'
import { deepFreeze } from './deep-freeze.js'
import { EnvReader } from './env-reader.js'
import { ConfigError } from './errors.js'
import { readAuthSection, readJobsSection } from './sections/auth.js'
import { readHttpSection } from './sections/http.js'
import { readInstallSection } from './sections/install.js'
import { readLimitsSection, readSecuritySection } from './sections/limits.js'
import { readNetworkSection } from './sections/network.js'
import { readNetworksSection } from './sections/networks.js'
import { readPveApiSection } from './sections/pve-api.js'
import { readProxySection } from './sections/proxy.js'
import { readPveSection } from './sections/pve.js'
import { readSimSection } from './sections/sim.js'
import { readTemplatesSection } from './sections/templates.js'
import { readVmSection } from './sections/vm.js'

const logLevels: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Directory a relative `DATA_DIR` is resolved against; default the process's. */
  cwd?: string | undefined
  /** Problems found before parsing (an unreadable env file); reported first. */
  problems?: readonly string[] | undefined
}

/**
 * Validates a set of variables (already merged from the environment and `.env`) into a
 * deep-frozen {@link Config}. Throws one {@link ConfigError} listing every problem.
 */
export function parseConfig(
  vars: Readonly<Record<string, string | undefined>>,
  options: ParseConfigOptions = {},
): Config {
  const env = new EnvReader(vars)
  env.problems.push(...(options.problems ?? []))
  const http = readHttpSection(env)
  const pve = readPveSection(env)
  const pveApi = readPveApiSection(env, pve)
  const network = readNetworkSection(env, pve)
  const networks = readNetworksSection(env, network, pve, options.cwd ?? '.')
  const vm = readVmSection(env)
  const sim = readSimSection(env, pve)
  const dataDir = resolve(options.cwd ?? '.', env.text('DATA_DIR') ?? 'data')
  const logLevel = env.oneOf('LOG_LEVEL', logLevels) ?? 'info'
  const install = readInstallSection(env, dataDir, pve.simulated)
  const auth = readAuthSection(env, options.cwd ?? '.')
  const jobs = readJobsSection(env)
  const security = readSecuritySection(env)
  const limits = readLimitsSection(env)
  const templates = readTemplatesSection(env, network, networks)
  const proxy = readProxySection(env)
  if (env.problems.length > 0) throw new ConfigError(env.problems)
  return deepFreeze({
    http,
    network,
    networks,
    pve,
    pveApi,
    vm,
    sim,
    install,
    auth,
    jobs,
    security,
    limits,
    templates,
    proxy,
    dataDir,
    logLevel,
  })
}
