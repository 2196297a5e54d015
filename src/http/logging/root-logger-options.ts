import { createRequire } from 'node:module'
import type { LoggerOptions } from 'pino'

export interface RootLoggerSettings {
  level: string
  /** human-readable lines (pino-pretty) instead of JSON, e.g. when stdout is a terminal */
  pretty: boolean
}

/** Secrets that must never reach a log line, wherever they hide in a logged object. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.passwd',
  '*.token',
]

/**
 * Options of the service's root pino logger: JSON lines with secrets redacted; pretty-printed
 * through pino-pretty when asked and installed (it is a development dependency, so a
 * production install without it keeps JSON).
 */
export function rootLoggerOptions(settings: RootLoggerSettings): LoggerOptions {
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
  }
  if (settings.pretty && isInstalled('pino-pretty')) {
    options.transport = {
      target: 'pino-pretty',
      options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
    }
  }
  return options
}

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name)
    return true
  } catch {
    return false
  }
}
