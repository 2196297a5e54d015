import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'
import { openStream, stepsOf } from '../../jobs/helpers/live-stream.js'

let t: TestApp | undefined
afterEach(async () => {
  t?.simGuests.faults.clear()
  await t?.close()
  t = undefined
})

describe('an install stamps the VM it creates and destroys only that one', () => {
  it('records the create before it runs and stamps the VM with the job id', async () => {
    t = await buildTestApp()
    const stream = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    expect(stream.steps.at(-1)?.status).toBe('success')
    const jobId = stream.headers.get('x-job-id') ?? ''
    const config = await t.cluster.vmConfig(t.sim.mainNode, 103)
    expect(config.description).toBe(`pve-qemu job ${jobId}`)
    expect(t.store.creations.ofJob(jobId)).toEqual([
      expect.objectContaining({ jobId, vmid: 103, node: t.sim.mainNode }),
    ])
  })

  it('rolls back without destroying a VM that replaced its own under the same id', async () => {
    t = await buildTestApp({ env: { GUEST_SSH_TIMEOUT: '5' } })
    const app = t
    const node = app.sim.mainNode
    app.simGuests.faults.holdBoot(103)
    const stream = await openStream(`${app.url}/api/vm/install`, {
      method: 'POST',
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    await stream.until((event) => event.data.message === '[*] waiting for SSH on 127.0.0.103')
    // meanwhile an admin removes the half-made VM and makes their own under the same id
    await app.cluster.stopVm(node, 103)
    await app.cluster.destroyVm(node, 103)
    await app.cluster.createVm(node, 103, { name: 'someone-else', memory: '512' })
    await stream.ended
    const last = stepsOf(stream).at(-1)
    expect(last?.status).toBe('error')
    expect(last?.message).toContain(
      `VM 103 on ${node} does not carry this install's stamp; it was left alone`,
    )
    expect((await app.cluster.vmConfig(node, 103)).name).toBe('someone-else')
  })
})

describe('a VMID the cluster refuses although the list did not show it', () => {
  it('moves on to the next id the cluster does not hold, not back to the start of the range', async () => {
    t = await buildTestApp()
    const app = t
    const node = app.sim.mainNode
    expect((await app.cluster.resources()).vms.map((vm) => vm.vmid)).toEqual(
      expect.arrayContaining([100, 101, 102]),
    )
    // VM 103 exists but the service's reads do not show it: another client made it after the
    // read, or the token may not audit it; Proxmox refuses the id all the same
    await app.cluster.createVm(node, 103, { name: 'theirs', memory: '512' })
    const read = app.cluster.resources.bind(app.cluster)
    app.cluster.resources = async (options) => {
      const answer = await read(options)
      return { ...answer, vms: answer.vms.filter((vm) => vm.vmid !== 103) }
    }
    const stream = await readSse(`${app.url}/api/vm/install`, {
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    const messages = stream.steps.map((step) => step.message)
    expect(stream.steps.at(-1)?.status).toBe('success')
    expect(messages).toContain('[*] VMID 103 was taken meanwhile; moving to the next free one')
    expect(messages).toContain('[*] now VMID 104, IP 127.0.0.104')
    expect(messages.filter((message) => message.includes('taken meanwhile'))).toHaveLength(1)
    expect((await app.cluster.vmConfig(node, 103)).name).toBe('theirs')
    expect((await app.cluster.vmConfig(node, 104)).description).toMatch(/^pve-qemu job /)
  })

  it('on the clone path too: the clone moves to the next id, named after it', async () => {
    t = await buildTestApp({ env: { TEMPLATES: 'auto' } })
    const app = t
    const node = app.sim.mainNode
    const body = { os: 'debian', version: '12', passwd: 'pw' }
    const first = await readSse(`${app.url}/api/vm/install`, { body })
    expect(first.steps.at(-1)?.status).toBe('success')
    // the template is built; the next install clones it, into an id someone else holds unseen
    await app.cluster.createVm(node, 104, { name: 'theirs', memory: '512' })
    const read = app.cluster.resources.bind(app.cluster)
    app.cluster.resources = async (options) => {
      const answer = await read(options)
      return { ...answer, vms: answer.vms.filter((vm) => vm.vmid !== 104) }
    }
    const second = await readSse(`${app.url}/api/vm/install`, { body })
    const messages = second.steps.map((step) => step.message)
    expect(second.steps.at(-1)?.status).toBe('success')
    expect(messages).toContain('[*] VMID 104 was taken meanwhile; moving to the next free one')
    expect(
      messages.some((message) => message.includes('VM 105 is a linked clone of template')),
    ).toBe(true)
    expect((await app.cluster.vmConfig(node, 104)).name).toBe('theirs')
    const config = await app.cluster.vmConfig(node, 105)
    expect(config.name).toBe('debian-12-105')
    expect(config.ipconfig0).toBe('ip=127.0.0.105/24,gw=127.0.0.1')
  })
})
