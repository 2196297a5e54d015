import type { LimitsConfig, SecurityConfig } from '../config.js'
import { quote, type EnvReader } from '../env-reader.js'
import { hostNamePattern } from '../patterns.js'

/**
 * Reads which names and web origins may reach the API: `ALLOWED_HOSTS` (the `Host` header;
 * IP literals and `localhost` always pass, since DNS rebinding can only bring a name) and
 * `ALLOW_ORIGINS` (web pages of other origins that may call it, with CORS).
 */
export function readSecuritySection(env: EnvReader): SecurityConfig {
  const hosts = env.list('ALLOWED_HOSTS') ?? []
  const allowedHosts: string[] = []
  for (const host of hosts) {
    if (host === '*' || hostNamePattern.test(host)) allowedHosts.push(host.toLowerCase())
    else env.problem('ALLOWED_HOSTS', `entry ${quote(host)} is not a host name (or *)`)
  }
  const allowOrigins: string[] = []
  for (const entry of env.list('ALLOW_ORIGINS') ?? []) {
    const origin = canonicalOrigin(entry)
    if (origin !== undefined) allowOrigins.push(origin)
    else {
      env.problem(
        'ALLOW_ORIGINS',
        `entry ${quote(entry)} must be an origin such as https://dash.example.com:8443 (scheme, host, optional port; no path, no *)`,
      )
    }
  }
  return { allowedHosts, allowOrigins }
}

/** `https://Dash.Example.com:443/` → `https://dash.example.com`; undefined when not an origin. */
function canonicalOrigin(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return undefined
  }
  if (url.pathname !== '/' || !/^https?:\/\/[^/]+\/?$/.test(text)) return undefined
  return url.origin
}

/**
 * Reads the limits that keep one caller from exhausting the service: connection timeouts and
 * cap, the install queue and stream caps, body depth, free space of DATA_DIR, audit retention.
 */
export function readLimitsSection(env: EnvReader): LimitsConfig {
  const seconds = (name: Parameters<EnvReader['integer']>[0], fallback: number, max: number) =>
    (env.integer(name, { min: 1, max, unit: 'seconds' }) ?? fallback) * 1000
  const requestTimeoutMs = seconds('HTTP_REQUEST_TIMEOUT', 30, 3600)
  const headersTimeoutMs = seconds('HTTP_HEADERS_TIMEOUT', 10, 600)
  if (headersTimeoutMs > requestTimeoutMs) {
    env.problem('HTTP_HEADERS_TIMEOUT', 'must not exceed HTTP_REQUEST_TIMEOUT')
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: seconds('HTTP_KEEPALIVE_TIMEOUT', 5, 600),
    maxConnections: env.integer('MAX_CONNECTIONS', { min: 8, max: 100_000 }) ?? 512,
    maxQueuedInstalls: env.integer('MAX_QUEUED_INSTALLS', { min: 0, max: 10_000 }) ?? 32,
    maxFollowersPerJob: env.integer('MAX_FOLLOWERS_PER_JOB', { min: 1, max: 10_000 }) ?? 32,
    maxFollowers: env.integer('MAX_FOLLOWERS', { min: 1, max: 100_000 }) ?? 256,
    maxBodyDepth: env.integer('MAX_BODY_DEPTH', { min: 2, max: 64 }) ?? 8,
    minFreeDiskMb: env.integer('MIN_FREE_DISK_MB', { min: 0, unit: 'MB' }) ?? 512,
    auditRetentionDays: env.integer('AUDIT_RETENTION_DAYS', { min: 1, max: 36_500 }) ?? 90,
    auditMaxRows: env.integer('AUDIT_MAX_ROWS', { min: 100, max: 100_000_000 }) ?? 100_000,
    auditRefusalsPerMinute:
      env.integer('AUDIT_REFUSALS_PER_MINUTE', { min: 0, max: 100_000 }) ?? 30,
  }
}
