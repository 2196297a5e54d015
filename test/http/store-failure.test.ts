import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../helpers/build-test-app.js'
import { openStream } from '../jobs/helpers/live-stream.js'

let t: TestApp | undefined
afterEach(async () => {
  t?.store.refuseWrites(false)
  await t?.close()
  t = undefined
})

interface FullHealth {
  status: string
  problem?: string
  store: { writable: boolean; error?: string }
  disk: { free_mb: number; min_free_mb: number }
}

async function fullHealth(app: TestApp): Promise<{ status: number; body: FullHealth }> {
  const response = await fetch(`${app.url}/api/health?full=1`)
  return { status: response.status, body: (await response.json()) as FullHealth }
}

describe('a store that stops writing in the middle of an install', () => {
  it('fails that job and rolls its VM back, never the process; installs get 503 meanwhile', async () => {
    t = await buildTestApp()
    const app = t
    // the install waits for its VM's SSH until the store has stopped writing
    const boot = app.simGuests.faults.holdBoot(103)
    const before = app.sim.snapshot().vms.map((vm) => vm.vmid)
    const stream = await openStream(`${app.url}/api/vm/install`, {
      method: 'POST',
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    await stream.until(
      (event) => event.data.step === 'VM creation > creating VM' && event.data.status === 'success',
    )
    app.store.refuseWrites(true)
    boot()
    await stream.ended
    const last = stream.events.filter((event) => event.event !== 'close').at(-1)?.data
    expect(last).toMatchObject({ status: 'error' })
    expect(last?.message).toMatch(/the job was stopped because cannot write .*pve-qemu\.db/)
    const jobId = stream.headers.get('x-job-id') ?? ''
    await app.jobs.settled(jobId)
    expect(app.jobs.get(jobId)).toMatchObject({ state: 'failed' })
    // rolled back: the cluster holds exactly the VMs it held before
    expect(app.sim.snapshot().vms.map((vm) => vm.vmid)).toEqual(before)

    // the process is alive; plain health is unchanged, the full one names the store
    expect(await get(`${app.url}/api/health`)).toMatchObject({ status: 200, text: 'ok' })
    const degraded = await fullHealth(app)
    expect(degraded.status).toBe(503)
    expect(degraded.body).toMatchObject({ status: 'degraded', problem: 'STORE_UNAVAILABLE' })
    expect(degraded.body.store).toMatchObject({ writable: false })
    expect(degraded.body.store.error).toContain('readonly database')
    const refused = await post(`${app.url}/api/vm/install`, { os: 'debian', version: '12' })
    expect(refused.status).toBe(503)
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'STORE_UNAVAILABLE' })

    // writes work again: the next write (this refusal's audit entry) clears the state
    app.store.refuseWrites(false)
    await post(`${app.url}/api/vm/101/set/cpu`, { cpu: 2 })
    expect(await fullHealth(app)).toMatchObject({ status: 200, body: { status: 'ok' } })
  })
})

describe('free space of DATA_DIR', () => {
  it('is checked before an install is admitted: 503 naming MIN_FREE_DISK_MB', async () => {
    t = await buildTestApp({ app: { freeBytes: () => 100 * 1024 * 1024 } })
    const before = t.sim.snapshot().vms.length
    const refused = await post(`${t.url}/api/vm/install`, { os: 'debian', version: '12' })
    expect(refused.status).toBe(503)
    expect(JSON.parse(refused.text)).toMatchObject({
      code: 'DISK_LOW',
      message: expect.stringContaining(
        '100 MB free, less than MIN_FREE_DISK_MB (512 MB)',
      ) as unknown,
    })
    expect(t.sim.snapshot().vms.length).toBe(before)
    expect(await fullHealth(t)).toMatchObject({
      status: 503,
      body: { problem: 'DISK_LOW', disk: { free_mb: 100, min_free_mb: 512 } },
    })
  })
})
