import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../helpers/build-test-app.js'
import { openStream } from '../jobs/helpers/live-stream.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('one changing operation per VM, across jobs and plain operations', () => {
  it('refuses changes to a migrating VM with 409 naming the migration job; reads go on', async () => {
    t = await buildTestApp()
    const target = t.sim.nodes.find((node) => node !== 'pve1') ?? ''
    // the migration stays in progress until the test lets it go on
    const hold = t.sim.faults.hold({ operation: 'migrate', vmid: 100 })
    const migration = await openStream(`${t.url}/api/vm/100/set/node`, {
      method: 'POST',
      body: { node: target },
    })
    expect(migration.status).toBe(200)
    await hold.reached
    const jobId = migration.headers.get('x-job-id') ?? ''
    const busy = `VM 100 is busy: migration (job ${jobId}) is in progress`
    for (const path of ['destroy', 'stop', 'shutdown', 'reboot', 'start']) {
      const refused = await post(`${t.url}/api/vm/100/${path}`)
      expect({ path, status: refused.status, text: refused.text }).toEqual({
        path,
        status: 409,
        text: busy,
      })
    }
    const resize = await post(`${t.url}/api/vm/100/set/cpu`, { cpu: 4 })
    expect(resize).toMatchObject({ status: 409, text: busy })
    const again = await post(`${t.url}/api/vm/100/set/node`, { node: target })
    expect(again).toMatchObject({ status: 409, text: busy })
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('running')
    expect((await get(`${t.url}/api/vm/list`)).status).toBe(200)
    expect(t.jobs.get(jobId)?.state).toBe('running')

    hold.release()
    await migration.ended
    expect(t.jobs.get(jobId)?.state).toBe('succeeded')
    expect((await post(`${t.url}/api/vm/100/set/cpu`, { cpu: 4 })).status).toBe(200)
  })

  it('holds a VM from the moment an install chooses its VMID until the install ends', async () => {
    t = await buildTestApp()
    // the install cannot end before the test lets its VM's SSH answer
    const boot = t.simGuests.faults.holdBoot(103)
    const install = await openStream(`${t.url}/api/vm/install`, {
      method: 'POST',
      body: { os: 'debian', version: '12' },
    })
    const jobId = install.headers.get('x-job-id') ?? ''
    await install.until((event) => event.data.message.startsWith('[+] auto-assigned VMID: 103'))
    expect(t.jobs.get(jobId)?.vmid).toBe(103)
    const busy = `VM 103 is busy: install (job ${jobId}) is in progress`
    expect(await post(`${t.url}/api/vm/103/destroy`)).toMatchObject({ status: 409, text: busy })

    await install.until((event) => event.data.message.startsWith('[+] VM created'))
    expect(await post(`${t.url}/api/vm/103/start`)).toMatchObject({ status: 409, text: busy })
    expect(await post(`${t.url}/api/vm/103/set/memory`, { memory: 4096 })).toMatchObject({
      status: 409,
      text: busy,
    })
    expect((await get(`${t.url}/api/vm/103/status`)).status).toBe(200)

    boot()
    await install.ended
    expect(t.jobs.get(jobId)?.state).toBe('succeeded')
    expect(t.store.reservations.reserved().size).toBe(0)
    expect((await post(`${t.url}/api/vm/103/stop`)).status).toBe(200)
  })
})
