import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, get, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'
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

describe('GET /api/jobs', () => {
  it('lists jobs newest first, filtered by state, type and vmid, and reads one', async () => {
    const app = await start()
    const installed = await readSse(`${app.url}/api/vm/install`, {
      body: { os: 'debian', version: '12' },
    })
    const installId = installed.headers.get('x-job-id') ?? ''
    const started = await readSse(`${app.url}/api/vm/101/start`)
    const startId = started.headers.get('x-job-id') ?? ''

    const all = await json(`${app.url}/api/jobs`)
    expect(all.status).toBe(200)
    expect(all.body).toMatchObject({
      success: true,
      jobs: [
        { id: startId, type: 'start', state: 'succeeded', vmid: 101 },
        { id: installId, type: 'install', state: 'succeeded', vmid: 103, summary: 'debian 12' },
      ],
    })
    const ids = async (query: string): Promise<string[]> => {
      const { body } = await json(`${app.url}/api/jobs?${query}`)
      const { jobs } = body as { jobs: { id: string }[] }
      return jobs.map((job) => job.id)
    }
    expect(await ids('type=install')).toEqual([installId])
    expect(await ids('vmid=103')).toEqual([installId])
    expect(await ids('state=running')).toEqual([])
    expect(await ids('state=succeeded&limit=1')).toEqual([startId])
    expect((await get(`${app.url}/api/jobs?state=sleeping`)).text).toContain('state')

    const one = await json(`${app.url}/api/jobs/${installId}`)
    expect(one.body).toMatchObject({ success: true, job: { id: installId, type: 'install' } })
    expect(
      (one.body as { job: { created_at: string; ended_at: string } }).job.ended_at >=
        (one.body as { job: { created_at: string } }).job.created_at,
    ).toBe(true)
    const missing = await json(`${app.url}/api/jobs/no-such-job`)
    expect(missing).toEqual({
      status: 404,
      body: { success: false, code: 'JOB_NOT_FOUND', message: 'no job no-such-job' },
    })
  })
})

describe('GET /api/jobs/:id/events', () => {
  it('lets a client that dropped mid-install reattach with Last-Event-ID and see every event exactly once', async () => {
    const app = await start()
    const boot = app.simGuests.faults.holdBoot(103)
    const first = await install(app, { os: 'ubuntu', version: '24.04' })
    const jobId = first.headers.get('x-job-id') ?? ''
    await first.until((event) => event.data.message.startsWith('[+] VM created'))
    first.drop()
    await first.ended
    const seen = first.events
    const lastId = seen.at(-1)?.id ?? '0'
    expect(app.jobs.get(jobId)?.state).toBe('running')

    const resumed = await openStream(`${app.url}/api/jobs/${jobId}/events`, {
      headers: { 'last-event-id': lastId },
    })
    expect(resumed.status).toBe(200)
    expect(resumed.headers.get('x-job-id')).toBe(jobId)
    boot()
    await resumed.ended
    expect(resumed.closed()).toBe(true)

    const ids = [...seen, ...resumed.events.filter((event) => event.event !== 'close')].map(
      (event) => Number(event.id),
    )
    expect(ids).toEqual(ids.map((_id, index) => index + 1))
    const whole = await readSse(`${app.url}/api/jobs/${jobId}/events`, { method: 'GET' })
    // a reattached client is not the stream that started the job: the password comes redacted
    // (its owner gets it once from /credentials), exactly as a replay shows it
    const live = [...stepsOf(first), ...stepsOf(resumed)].map((step) => step.message)
    const password = live.find((message) => message.startsWith('[*] Password: ')) ?? ''
    expect(password).toContain(`pve-qemu credentials ${jobId}`)
    expect(whole.steps.map((step) => step.message)).toEqual(live)
    expect(whole.steps[0]?.job_id).toBe(jobId)
    expect(whole.steps.at(-1)?.message).toBe('[*] User: ubuntu')
    expect(app.jobs.get(jobId)?.state).toBe('succeeded')
  })

  it('serves several followers of one job alike, and ?after= as curl would', async () => {
    const app = await start()
    // the followers join while the install runs
    const boot = app.simGuests.faults.holdBoot(103)
    const owner = await install(app, { os: 'debian', version: '12' })
    const jobId = owner.headers.get('x-job-id') ?? ''
    const [a, b] = await Promise.all([
      openStream(`${app.url}/api/jobs/${jobId}/events`),
      openStream(`${app.url}/api/jobs/${jobId}/events?after=2`),
    ])
    expect(app.jobs.get(jobId)?.state).toBe('running')
    boot()
    await Promise.all([owner.ended, a.ended, b.ended])
    // followers see what the owner saw, but never its generated password
    const hidden = (steps: ReturnType<typeof stepsOf>): unknown[] =>
      steps.map((step) =>
        step.message.startsWith('[*] Password: ') ? { ...step, message: 'password' } : step,
      )
    expect(hidden(stepsOf(a))).toEqual(hidden(stepsOf(owner)))
    expect(stepsOf(owner).some((step) => /^\[\*\] Password: \w{20}$/.test(step.message))).toBe(true)
    expect(stepsOf(a).some((step) => /^\[\*\] Password: \w{20}$/.test(step.message))).toBe(false)
    expect(b.events[0]?.id).toBe('3')
    expect(hidden(stepsOf(b))).toEqual(hidden(stepsOf(owner)).slice(2))
    expect((await get(`${app.url}/api/jobs/nope/events`)).status).toBe(404)
  })
})

describe('POST /api/jobs/:id/cancel', () => {
  it('rolls an install back: no VM, no reservation, the job reads cancelled', async () => {
    const app = await start()
    app.simGuests.faults.holdBoot(103)
    const stream = await install(app, { os: 'debian', version: '12', name: 'doomed' })
    const jobId = stream.headers.get('x-job-id') ?? ''
    await stream.until((event) => event.data.message.startsWith('[+] VM created'))
    const cancel = await json(`${app.url}/api/jobs/${jobId}/cancel`, 'POST')
    expect(cancel).toMatchObject({
      status: 200,
      body: { success: true, job: { id: jobId, vmid: 103 } },
    })
    await stream.ended
    expect(stepsOf(stream).at(-1)).toMatchObject({
      status: 'error',
      message:
        '[-] install cancelled; cleaned up: VM 103 and its disks removed, reservation released',
    })
    expect(app.jobs.get(jobId)).toMatchObject({ state: 'cancelled', vmid: 103 })
    expect((await get(`${app.url}/api/vm/103/status`)).status).toBe(404)
    expect(app.store.reservations.reserved().size).toBe(0)
    const again = await json(`${app.url}/api/jobs/${jobId}/cancel`, 'POST')
    expect(again).toMatchObject({ status: 409, body: { code: 'JOB_FINISHED' } })
    expect((await json(`${app.url}/api/jobs/nope/cancel`, 'POST')).status).toBe(404)
  })
})
