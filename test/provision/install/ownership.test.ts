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
