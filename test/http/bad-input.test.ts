import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

const keyA =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZQPSbEwoDXP42HyE5v4uJ5EC6OpYecPeslMdxQ3KUw admin@example'
const keyB =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVtZXhhbXBsZWtleWZvcmRvY3Nvbmx5IHVtZXhhbXBs deploy@laptop'

async function postText(
  path: string,
  text: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  })
  return { status: response.status, text: await response.text() }
}

describe('a deeply nested body', () => {
  const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`

  it.each([
    ['/api/vm/install', `{"os":"debian","version":"12","extra":${deep(30_000)}}`],
    ['/api/vm/101/set/cpu', `{"cpu":2,"x":${deep(30_000)}}`],
    ['/api/vm/install', `{"os":"debian","version":"12","x":${deep(9)}}`],
  ])('gets 400 naming the depth on %s, never a stack overflow', async (path, body) => {
    const answer = await postText(path, body, { 'idempotency-key': `deep-${body.length}` })
    expect(answer.status).toBe(400)
    expect(answer.text).toContain('body: is nested deeper than 8 levels')
  })
})

describe('unknown body fields', () => {
  it('are dropped before the idempotency fingerprint: a retry without them joins the job', async () => {
    const body = { os: 'debian', version: '12', name: 'strip-me', passwd: 'pw-strip' }
    const key = { 'idempotency-key': 'strip-unknown-1' }
    const first = await readSse(`${t.url}/api/vm/install`, {
      body: { ...body, colour: 'blue', nested: { a: 1 } },
      headers: key,
    })
    expect(first.status).toBe(200)
    const again = await readSse(`${t.url}/api/vm/install`, { body, headers: key })
    expect(again.status).toBe(200)
    expect(again.headers.get('x-job-id')).toBe(first.headers.get('x-job-id'))
  })
})

describe(':id and integer query values', () => {
  it.each(['1e2', '0x64', '+100', '0100', '100.0', '%20100'])(
    'refuses %s with 400 instead of addressing VM 100',
    async (id) => {
      const status = await get(`${t.url}/api/vm/${id}/status`)
      expect(status.status).toBe(400)
      expect(status.text).toMatch(/^id: must be a whole number in decimal digits/)
      const stop = await post(`${t.url}/api/vm/${id}/stop`)
      expect(stop.status).toBe(400)
    },
  )

  it('still takes a plain VMID, and refuses 1e2 in ?vmid= too', async () => {
    expect(await get(`${t.url}/api/vm/100/status`)).toMatchObject({ status: 200, text: 'running' })
    expect((await get(`${t.url}/api/jobs?vmid=1e2`)).status).toBe(400)
    expect((await get(`${t.url}/api/jobs?vmid=100`)).status).toBe(200)
  })
})

describe('guest accounts', () => {
  it.each(['root', 'daemon', 'bin', 'sys', 'nobody', 'www-data', 'systemd-network', '_apt'])(
    'refuses user %s with 400 naming the field',
    async (user) => {
      const answer = await post(`${t.url}/api/vm/install`, { os: 'debian', version: '12', user })
      expect(answer.status).toBe(400)
      expect(JSON.parse(answer.text)).toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^user: .* is root or a system account/) as unknown,
      })
    },
  )

  it.each([
    `${keyA.split(' ').slice(0, 2).join(' ')} bad\u0007comment`,
    `${keyA}\n# ssh-ed25519 AAAA comment line`,
    `${keyA}\ncommand="rm -rf /" ${keyB}`,
    `${keyA} caf\u00e9`,
  ])('refuses a key whose comment is not printable or that adds options: %j', async (pubkey) => {
    const answer = await post(`${t.url}/api/vm/install`, { os: 'debian', version: '12', pubkey })
    expect(answer.status).toBe(400)
    expect(answer.text).toContain('pubkey: ')
  })
})

describe('a Go client of the original service', () => {
  it('sends zero values for unset fields and several keys with a trailing newline: accepted', async () => {
    const stream = await readSse(`${t.url}/api/vm/install`, {
      body: {
        os: 'debian',
        version: '12',
        name: '',
        id: 0,
        node: '',
        cpu: 0,
        ram: 0,
        disk: '',
        user: '',
        passwd: '',
        pubkey: `${keyA}\n${keyB}\n`,
      },
    })
    expect(stream.status).toBe(200)
    expect(stream.steps.filter((step) => step.status === 'error')).toEqual([])
    const vmid = stream.steps.at(-1)?.vm_id ?? 0
    const config = await t.cluster.vmConfig(t.sim.mainNode, vmid)
    expect(config).toMatchObject({ cores: '2', memory: '2048' })
    const keys = decodeURIComponent(config.sshkeys ?? '')
    expect(keys).toContain(keyA)
    expect(keys).toContain(keyB)
  })
})
