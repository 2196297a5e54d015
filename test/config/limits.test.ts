import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/config/index.js'

const problemsOf = (vars: Record<string, string>): string[] => {
  try {
    parseConfig(vars)
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems]
    throw error
  }
  return []
}

describe('security and limits settings', () => {
  it('have sane defaults', () => {
    const config = parseConfig({})
    expect(config.security).toEqual({ allowedHosts: [], allowOrigins: [] })
    expect(config.limits).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 512,
      maxQueuedInstalls: 32,
      maxFollowersPerJob: 32,
      maxFollowers: 256,
      maxBodyDepth: 8,
      minFreeDiskMb: 512,
      auditRetentionDays: 90,
      auditMaxRows: 100_000,
      auditRefusalsPerMinute: 30,
    })
  })

  it('read origins and host names in canonical form', () => {
    const config = parseConfig({
      ALLOW_ORIGINS: 'https://Dash.Example.com:443, http://127.0.0.1:5173',
      ALLOWED_HOSTS: 'PVE-Qemu.example.com,localhost',
      HTTP_REQUEST_TIMEOUT: '60',
      MAX_QUEUED_INSTALLS: '0',
    })
    expect(config.security.allowOrigins).toEqual([
      'https://dash.example.com',
      'http://127.0.0.1:5173',
    ])
    expect(config.security.allowedHosts).toEqual(['pve-qemu.example.com', 'localhost'])
    expect(config.limits.requestTimeoutMs).toBe(60_000)
    expect(config.limits.maxQueuedInstalls).toBe(0)
  })

  it('refuse what cannot be an origin, a host name or a limit, naming the variable', () => {
    const problems = problemsOf({
      ALLOW_ORIGINS: '*,https://x.example/path',
      ALLOWED_HOSTS: 'bad host',
      HTTP_HEADERS_TIMEOUT: '60',
      HTTP_REQUEST_TIMEOUT: '30',
      MAX_CONNECTIONS: '2',
      AUDIT_MAX_ROWS: 'lots',
    })
    expect(problems).toEqual([
      expect.stringMatching(/^ALLOWED_HOSTS: entry "bad host" is not a host name/),
      expect.stringMatching(/^ALLOW_ORIGINS: entry "\*" must be an origin/),
      expect.stringMatching(/^ALLOW_ORIGINS: entry "https:\/\/x\.example\/path"/),
      'HTTP_HEADERS_TIMEOUT: must not exceed HTTP_REQUEST_TIMEOUT',
      expect.stringMatching(/^MAX_CONNECTIONS: must be an integer from 8 to 100000/),
      expect.stringMatching(/^AUDIT_MAX_ROWS: must be an integer/),
    ])
  })
})
