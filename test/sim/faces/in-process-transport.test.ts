import { afterEach, describe, expect, it } from 'vitest'
import { createInProcessTransport } from '../../../src/sim/index.js'
import type { Simulator } from '../../../src/sim/index.js'
import { buildSim } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('in-process transport', () => {
  it('runs requests as root@pam by default and passes PVE answers through', async () => {
    sim = await buildSim()
    const transport = createInProcessTransport(sim)
    expect(transport.user).toBe('root@pam')
    const ok = await transport.request({ method: 'GET', path: '/cluster/nextid' })
    expect(ok).toEqual({ status: 200, data: '103' })
    const bad = await transport.request({
      method: 'GET',
      path: '/cluster/nextid',
      params: { vmid: 100 },
    })
    expect(bad).toEqual({
      status: 400,
      data: null,
      message: 'Parameter verification failed.',
      errors: { vmid: 'VM 100 already exists' },
    })
    const started = await transport.request({
      method: 'POST',
      path: '/nodes/pve2/qemu/101/status/start',
    })
    expect(String(started.data)).toMatch(/:qmstart:101:root@pam:$/)
  })

  it('runs as a token, which may not pass filesystem paths', async () => {
    sim = await buildSim()
    const transport = createInProcessTransport(sim, { user: 'root@pam!pve-qemu' })
    const response = await transport.request({
      method: 'POST',
      path: '/nodes/pve1/qemu',
      params: { vmid: 800, scsi0: 'local-lvm:0,import-from=/tmp/x.qcow2' },
    })
    expect(response).toEqual({
      status: 500,
      data: null,
      message: 'Only root can pass arbitrary filesystem paths.',
    })
    const task = await transport.request({
      method: 'POST',
      path: '/nodes/pve1/qemu',
      params: { vmid: 800 },
    })
    expect(String(task.data)).toMatch(/:qmcreate:800:root@pam!pve-qemu:$/)
  })

  it('rejects an aborted request without calling the simulator', async () => {
    sim = await buildSim()
    const transport = createInProcessTransport(sim)
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(
      transport.request({
        method: 'POST',
        path: '/nodes/pve2/qemu/101/status/start',
        signal: controller.signal,
      }),
    ).rejects.toThrow('stop')
    expect(sim.snapshot().vms.find((vm) => vm.vmid === 101)?.status).toBe('stopped')
  })
})
