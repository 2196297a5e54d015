import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { hashApiToken } from '../../src/config/sections/auth.js'
import { accessWarning } from '../../src/http/access/access-warning.js'
import { parseAllowList } from '../../src/http/allow-ips/index.js'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** A DATA_DIR the test reads after the service closed; removed when the test ends. */
function ownDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-auth-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const ciToken = 'ci-token-0123456789abcdef'
const spareToken = 'spare-token-ZYXWVUTSRQ'

async function call(
  path: string,
  options: { method?: string; token?: string; authorization?: string } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = {}
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  if (options.authorization !== undefined) headers.authorization = options.authorization
  const response = await fetch(`${t?.url ?? ''}${path}`, {
    method: options.method ?? 'GET',
    headers,
  })
  return { status: response.status, text: await response.text(), headers: response.headers }
}

describe('API tokens', () => {
  it('needs a valid bearer token on every route but health, /sh and the dashboard files', async () => {
    t = await buildTestApp({ env: { API_TOKENS: `ci:${ciToken}, ${spareToken}` } })
    const missing = await call('/api/vm/list')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="pve-qemu"')
    expect(JSON.parse(missing.text)).toMatchObject({ success: false, code: 'AUTH_REQUIRED' })
    expect(
      JSON.parse((await call('/api/vm/list', { token: 'not-the-token-at-all' })).text),
    ).toMatchObject({
      code: 'AUTH_INVALID',
      message: 'the API token is not valid',
    })
    expect((await call('/api/vm/list', { authorization: `Basic ${ciToken}` })).status).toBe(401)
    expect((await call('/api/vm/list', { authorization: `bearer ${ciToken}` })).status).toBe(200)
    expect((await call('/api/vm/list', { token: ciToken })).status).toBe(200)
    expect((await call('/api/vm/list', { token: spareToken })).status).toBe(200)

    for (const path of [
      '/api/jobs',
      '/api/vm/101/status',
      '/api/os',
      '/metrics',
      '/api/openapi.json',
    ]) {
      expect({ path, status: (await call(path)).status }).toEqual({ path, status: 401 })
    }
    const stop = await call('/api/vm/100/stop', { method: 'POST' })
    expect(stop).toMatchObject({
      status: 401,
      text: 'this route needs an API token: send "Authorization: Bearer <token>"',
    })
    expect((await call('/api/vm/100/status', { token: ciToken })).text).toBe('running')

    expect((await call('/api/health')).text).toBe('ok')
    expect((await call('/sh/debian_12.sh')).status).toBe(200)
    expect((await call('/')).status).not.toBe(401)
    expect((await call('/app.js')).status).not.toBe(401)
  })

  it('streams with a token like any other route', async () => {
    t = await buildTestApp({ env: { API_TOKENS: ciToken } })
    const refused = await readSse(`${t.url}/api/vm/101/start`)
    expect(refused.status).toBe(401)
    const stream = await readSse(`${t.url}/api/vm/101/start`, {
      headers: { authorization: `Bearer ${ciToken}` },
    })
    expect(stream.status).toBe(200)
    expect(stream.closed).toBe(true)
    const jobId = stream.headers.get('x-job-id') ?? ''
    expect(
      t.store.audit.recent(2).map((entry) => [entry.actor, entry.status, entry.result]),
    ).toEqual([
      ['token-1', 200, `ok, job ${jobId}`],
      ['anonymous', 401, 'AUTH_REQUIRED'],
    ])
  })

  it('keeps ALLOW_IPS in force: a valid token from a refused address gets 403', async () => {
    t = await buildTestApp({ env: { API_TOKENS: ciToken, ALLOW_IPS: '127.0.0.9' } })
    expect((await call('/api/vm/list', { token: ciToken })).status).toBe(403)
    expect((await call('/api/health')).status).toBe(200)
  })

  it('reads hashed tokens from API_TOKENS_FILE', async () => {
    const dataDir = ownDataDir()
    const file = join(dataDir, 'api-tokens')
    writeFileSync(file, `# who may call\nalice sha256:${hashApiToken(ciToken)}\n\n`)
    t = await buildTestApp({ dataDir, env: { API_TOKENS_FILE: file } })
    expect((await call('/api/vm/list', { token: ciToken })).status).toBe(200)
    expect((await call('/api/vm/list', { token: spareToken })).status).toBe(401)
    expect(t.store.audit.recent(10).some((entry) => entry.actor === 'alice')).toBe(false)
    await call('/api/vm/100/shutdown', { method: 'POST', token: ciToken })
    expect(t.store.audit.recent(1)[0]).toMatchObject({
      actor: 'alice',
      action: 'POST /api/vm/100/shutdown',
      vmid: 100,
      status: 200,
      result: 'ok',
    })
    expect(readFileSync(file, 'utf8')).not.toContain(ciToken)
  })

  it('never writes a token to the log, the audit log or DATA_DIR, and records who did what', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) })
    const dataDir = ownDataDir()
    t = await buildTestApp({ logger, dataDir, env: { API_TOKENS: `ci:${ciToken}` } })
    await call('/api/vm/100/stop', { method: 'POST', token: ciToken })
    await call('/api/vm/100/start', { method: 'POST', token: 'wrong-token-but-long-enough' })
    await call('/api/vm/101/destroy', { method: 'POST' })
    await call('/api/vm/list', { token: ciToken })
    await call('/api/vm/list', { token: spareToken })

    const audit = t.store.audit.recent(10).reverse()
    expect(
      audit.map(({ actor, address, action, vmid, status, result }) => ({
        actor,
        address,
        action,
        vmid,
        status,
        result,
      })),
    ).toEqual([
      {
        actor: 'ci',
        address: '127.0.0.1',
        action: 'POST /api/vm/100/stop',
        vmid: 100,
        status: 200,
        result: 'ok',
      },
      {
        actor: 'anonymous',
        address: '127.0.0.1',
        action: 'POST /api/vm/100/start',
        vmid: 100,
        status: 401,
        result: 'AUTH_INVALID',
      },
      {
        actor: 'anonymous',
        address: '127.0.0.1',
        action: 'POST /api/vm/101/destroy',
        vmid: 101,
        status: 401,
        result: 'AUTH_REQUIRED',
      },
      {
        actor: 'anonymous',
        address: '127.0.0.1',
        action: 'GET /api/vm/list',
        vmid: undefined,
        status: 401,
        result: 'AUTH_INVALID',
      },
    ])
    await t.close()
    t = undefined
    const logged = lines.join('\n')
    expect(logged.length).toBeGreaterThan(1000)
    for (const secret of [ciToken, 'wrong-token-but-long-enough', spareToken]) {
      expect(logged).not.toContain(secret)
      for (const file of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
        const path = join(dataDir, file)
        let bytes: Buffer
        try {
          bytes = readFileSync(path)
        } catch {
          continue
        }
        expect({ file, leaks: bytes.includes(secret) }).toEqual({ file, leaks: false })
      }
    }
  })
})

describe('the start-up warning', () => {
  it('is given when neither tokens nor an allowlist protect the API', () => {
    const everyone = parseAllowList(['0.0.0.0'])
    expect(accessWarning({ tokens: 0, allowList: everyone })).toMatch(
      /^anyone who can reach this port/,
    )
    expect(accessWarning({ tokens: 1, allowList: everyone })).toBeUndefined()
    expect(accessWarning({ tokens: 0, allowList: parseAllowList(['127.0.0.1']) })).toBeUndefined()
  })
})
