import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import type { Config } from './config.js'
import { parseConfig } from './parse-config.js'

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * The env file to read. Default `.env` in the working directory, which may be missing; a
   * file named here must exist.
   */
  envFile?: string | undefined
}

/**
 * Loads the configuration once at start: the env file's variables, overridden by the real
 * environment, validated into a deep-frozen {@link Config}. Throws a `ConfigError` whose
 * `problems` hold one line per bad or missing variable (the env file itself included).
 *
 * @example
 * const config = loadConfig()                       // process.env + ./.env
 * const config = loadConfig({ PORT: '9000' }, { envFile: '/etc/pve-qemu.env' })
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): Config {
  const file = readEnvFile(options.envFile)
  const vars: Record<string, string> = { ...file.vars }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined) vars[name] = value
  }
  return parseConfig(vars, { problems: file.problem === undefined ? [] : [file.problem] })
}

function readEnvFile(envFile: string | undefined): {
  vars: Record<string, string>
  problem?: string
} {
  const path = resolve(envFile ?? '.env')
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT' && envFile === undefined) return { vars: {} }
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'unknown error'})`
    return { vars: {}, problem: `env file ${path}: ${why}` }
  }
  // Node's own .env parser (20.12): the same syntax dotenv reads, without the dependency
  const vars: Record<string, string> = {}
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value !== undefined) vars[name] = value
  }
  return { vars }
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code
  return undefined
}
