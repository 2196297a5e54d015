import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, get, type TestApp } from '../helpers/build-test-app.js'
import { rawRequest } from './raw-request.js'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp({
    env: { ALLOW_ORIGINS: 'https://dash.example.com', ALLOWED_HOSTS: 'pve-qemu.example.com' },
  })
})
afterAll(async () => {
  await t.close()
})

const port = (): string => new URL(t.url).port
const statusOf = async (vmid: number): Promise<string> =>
  (await get(`${t.url}/api/vm/${vmid}/status`)).text

describe('a page of another site', () => {
  it('cannot destroy a VM with a bodiless or text/plain POST (Origin not allowed): 403', async () => {
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', 'content-type': 'text/plain' },
      { origin: 'null' },
    ]) {
      const answer = await rawRequest(`${t.url}/api/vm/101/destroy`, {
        method: 'POST',
        headers,
        body: headers['content-type'] === undefined ? '' : 'x',
      })
      expect(answer.status).toBe(403)
      expect(answer.text).toMatch(/may not change anything here; list it in ALLOW_ORIGINS/)
    }
    expect(await statusOf(101)).toBe('stopped')
  })

  it('is refused when the browser marks the request cross-site, even without Origin', async () => {
    const answer = await rawRequest(`${t.url}/api/vm/101/destroy`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    expect(answer.status).toBe(403)
    expect(answer.text).toContain('Sec-Fetch-Site: cross-site')
    expect(await statusOf(101)).toBe('stopped')
    expect(t.store.audit.recent(1)[0]).toMatchObject({
      action: 'POST /api/vm/101/destroy',
      status: 403,
      result: 'CROSS_SITE_REFUSED',
    })
  })
})

describe('DNS rebinding', () => {
  it('is refused: a Host name that is not an IP, localhost or in ALLOWED_HOSTS gets 421', async () => {
    const rebound = await rawRequest(`${t.url}/api/vm/list`, {
      headers: { host: `attacker.example:${port()}` },
    })
    expect(rebound.status).toBe(421)
    expect(rebound.text).toContain('ALLOWED_HOSTS')
    const destroy = await rawRequest(`${t.url}/api/vm/101/destroy`, {
      method: 'POST',
      headers: { host: `attacker.example:${port()}` },
    })
    expect(destroy.status).toBe(421)
    for (const host of [
      `pve-qemu.example.com:${port()}`,
      `localhost:${port()}`,
      `[::1]:${port()}`,
    ]) {
      expect((await rawRequest(`${t.url}/api/vm/list`, { headers: { host } })).status).toBe(200)
    }
    // health and the init scripts guests fetch stay open
    const health = await rawRequest(`${t.url}/api/health`, {
      headers: { host: 'anything.example' },
    })
    expect(health).toMatchObject({ status: 200, text: 'ok' })
  })
})

describe('callers that are not a foreign page', () => {
  it('curl -X POST without Origin keeps working', async () => {
    const answer = await rawRequest(`${t.url}/api/vm/101/set/cpu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: `127.0.0.1:${port()}` },
      body: '{"cpu":3}',
    })
    expect(answer).toMatchObject({ status: 200, text: 'ok' })
  })

  it('the dashboard (same origin) keeps working', async () => {
    const answer = await rawRequest(`${t.url}/api/vm/101/set/cpu`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        host: `localhost:${port()}`,
        origin: `http://localhost:${port()}`,
        'sec-fetch-site': 'same-origin',
      },
      body: '{"cpu":2}',
    })
    expect(answer).toMatchObject({ status: 200, text: 'ok' })
  })

  it('an ALLOW_ORIGINS page gets CORS, its preflight answered, and may act', async () => {
    const origin = 'https://dash.example.com'
    const preflight = await rawRequest(`${t.url}/api/vm/101/set/cpu`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe(origin)
    expect(preflight.headers['access-control-allow-methods']).toContain('POST')
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization')
    const call = await rawRequest(`${t.url}/api/vm/101/set/cpu`, {
      method: 'POST',
      headers: { origin, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      body: '{"cpu":3}',
    })
    expect(call).toMatchObject({ status: 200, text: 'ok' })
    expect(call.headers['access-control-allow-origin']).toBe(origin)
    expect(call.headers['access-control-expose-headers']).toContain('x-job-id')

    const foreign = await rawRequest(`${t.url}/api/vm/101/set/cpu`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    })
    expect(foreign.status).toBe(403)
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined()
  })
})
