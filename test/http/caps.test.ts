import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { openStream, type LiveStream } from '../jobs/helpers/live-stream.js'

let t: TestApp | undefined
const streams: LiveStream[] = []
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.drop()
  await t?.close()
  t = undefined
})

async function stream(
  url: string,
  init: Parameters<typeof openStream>[1] = {},
): Promise<LiveStream> {
  const opened = await openStream(url, init)
  streams.push(opened)
  return opened
}

const installBody = { os: 'debian', version: '12', passwd: 'pw' }

/** Waits until /api/health?full=1 counts `open` job streams (a dropped one is counted out). */
async function streamsOpen(app: TestApp, open: number): Promise<void> {
  for (;;) {
    const report = (await (await fetch(`${app.url}/api/health?full=1`)).json()) as {
      streams: number
    }
    if (report.streams === open) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('the install queue', () => {
  it('holds MAX_QUEUED_INSTALLS; one more gets 429 with Retry-After and nothing starts', async () => {
    t = await buildTestApp({
      env: { MAX_CONCURRENT_INSTALLS: '1', MAX_QUEUED_INSTALLS: '1' },
    })
    // the running install stays running: its VM's SSH never answers while the test runs
    t.simGuests.faults.holdBoot(103)
    const url = `${t.url}/api/vm/install`
    const running = await stream(url, { method: 'POST', body: installBody })
    await running.until((event) => event.data.message.includes('auto-assigned VMID'))
    const queued = await stream(url, { method: 'POST', body: installBody })
    await queued.until((event) => event.data.message.includes('waiting for a free install slot'))
    const jobsBefore = t.jobs.list().length

    const refused = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(installBody),
    })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('30')
    expect(await refused.json()).toMatchObject({
      success: false,
      code: 'JOB_QUEUE_FULL',
      message: expect.stringContaining('1 are in line for a free slot already') as unknown,
    })
    expect(t.jobs.list()).toHaveLength(jobsBefore)
  })
})

describe('streams following jobs', () => {
  it('are capped per job (429) and in total (503); the starting stream always gets in', async () => {
    t = await buildTestApp({
      env: { MAX_FOLLOWERS_PER_JOB: '2', MAX_FOLLOWERS: '3' },
    })
    // both installs stay running: their VMs' SSH never answers while the test runs
    t.simGuests.faults.holdBoot(103)
    t.simGuests.faults.holdBoot(104)
    const app = t
    const url = `${app.url}/api/vm/install`
    const first = await stream(url, { method: 'POST', body: installBody })
    const firstJob = first.headers.get('x-job-id') ?? ''
    const follower = await stream(`${app.url}/api/jobs/${firstJob}/events`)
    expect(follower.status).toBe(200)

    const perJob = await fetch(`${app.url}/api/jobs/${firstJob}/events`)
    expect(perJob.status).toBe(429)
    expect(await perJob.json()).toMatchObject({
      code: 'JOB_FOLLOWERS_LIMIT',
      message: expect.stringContaining('MAX_FOLLOWERS_PER_JOB') as unknown,
    })

    const second = await stream(url, { method: 'POST', body: installBody })
    expect(second.status).toBe(200)
    const secondJob = second.headers.get('x-job-id') ?? ''
    const total = await fetch(`${app.url}/api/jobs/${secondJob}/events`)
    expect(total.status).toBe(503)
    expect(await total.json()).toMatchObject({ code: 'JOB_STREAMS_LIMIT' })

    // one leaves: the next follower gets in
    follower.drop()
    await streamsOpen(app, 2)
    const later = await stream(`${app.url}/api/jobs/${secondJob}/events`)
    expect(later.status).toBe(200)
  })
})
