import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, post, type TestApp } from '../helpers/build-test-app.js'
import { openStream, stepsOf, type LiveStream } from '../jobs/helpers/live-stream.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function start(env: Record<string, string> = {}): Promise<TestApp> {
  t = await buildTestApp({ env })
  return t
}

const install = (
  app: TestApp,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<LiveStream> => openStream(`${app.url}/api/vm/install`, { method: 'POST', body, headers })

async function json(url: string, method = 'GET'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method })
  return { status: response.status, body: await response.json() }
}

describe('Idempotency-Key on install', () => {
  it('joins the first job for the same key and body, refuses another body with 409', async () => {
    const app = await start()
    // the first install (VM 103) runs until the test lets its VM's SSH answer
    const boot = app.simGuests.faults.holdBoot(103)
    const body = { os: 'debian', version: '12', name: 'once', passwd: 'correct horse' }
    const key = { 'idempotency-key': 'deploy-42' }
    const first = await install(app, body, key)
    await first.until((event) => event.data.message.startsWith('[+] auto-assigned VMID'))
    const retry = await install(
      app,
      { name: 'once', version: '12', os: 'debian', passwd: 'correct horse' },
      key,
    )
    expect(retry.headers.get('x-job-id')).toBe(first.headers.get('x-job-id'))
    const other = await post(`${app.url}/api/vm/install`, { ...body, name: 'twice' })
    expect(other.status).toBe(200)
    const conflict = await fetch(`${app.url}/api/vm/install`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...key },
      body: JSON.stringify({ ...body, passwd: 'another one' }),
    })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({
      success: false,
      code: 'JOB_IDEMPOTENCY_CONFLICT',
    })
    boot()
    await Promise.all([first.ended, retry.ended])
    expect(stepsOf(retry)).toEqual(stepsOf(first))
    const { vms } = (await json(`${app.url}/api/vm/list`)).body as { vms: { name: string }[] }
    expect(vms.filter((vm) => vm.name === 'once')).toHaveLength(1)

    const later = await install(app, body, key)
    await later.ended
    expect(stepsOf(later)).toEqual(stepsOf(first))
    const bad = await fetch(`${app.url}/api/vm/install`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'has spaces in it' },
      body: JSON.stringify(body),
    })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('Idempotency-Key')
  })
})

describe('limits', () => {
  it('queues installs beyond MAX_CONCURRENT_INSTALLS and says so in a processing event', async () => {
    const app = await start({ MAX_CONCURRENT_INSTALLS: '1' })
    const boot = app.simGuests.faults.holdBoot(103)
    const first = await install(app, { os: 'debian', version: '12' })
    await first.until((event) => event.data.step === 'preparation > checking VMID')
    const second = await install(app, { os: 'debian', version: '12' })
    const queued = await second.until((event) => event.data.step === 'queued')
    expect(queued.data).toMatchObject({
      status: 'processing',
      message: '[*] waiting for a free install slot: 1 of 1 running; this one is next in line',
    })
    expect(app.jobs.get(second.headers.get('x-job-id') ?? '')?.state).toBe('queued')
    boot()
    await Promise.all([first.ended, second.ended])
    expect(stepsOf(second).at(-1)).toMatchObject({ status: 'success', vm_id: 104 })
    expect(
      stepsOf(second).find((step) => step.status === 'success' && step.step === 'queued')?.message,
    ).toMatch(/^\[\+\] a slot is free; starting/)
  })

  it('refuses a request body over the size limit with 413', async () => {
    const app = await start()
    const response = await post(`${app.url}/api/vm/install`, {
      os: 'debian',
      version: '12',
      name: 'x'.repeat(100_000),
    })
    expect(response.status).toBe(413)
  })
})
