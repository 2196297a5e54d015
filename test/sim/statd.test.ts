import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Simulator } from '../../src/sim/index.js'
import { asList, buildSim, call, get } from './helpers.js'

let sim: Simulator
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  })
})
afterEach(async () => {
  await sim.close()
  vi.useRealTimers()
})

async function vmEntry(vmid: number): Promise<Record<string, unknown> | undefined> {
  return asList(await get(sim, '/cluster/resources', { type: 'vm' })).find((e) => e.vmid === vmid)
}

describe('pvestatd staleness of /cluster/resources', () => {
  it('shows a new VM as unknown with only the pmxcfs fields until the next 10 s cycle', async () => {
    sim = await buildSim({ speed: 1 })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 300,
      name: 'fresh',
      memory: 1024,
    })
    const done = sim.followTask(String(response.data))
    await vi.advanceTimersByTimeAsync(1_500)
    expect(await done).toBe('OK')
    expect(await vmEntry(300)).toEqual({
      id: 'qemu/300',
      type: 'qemu',
      vmid: 300,
      node: 'pve1',
      status: 'unknown',
    })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await vmEntry(300)).toMatchObject({
      status: 'stopped',
      name: 'fresh',
      maxmem: 1024 * 1024 * 1024,
    })
  })

  it('shows a status change at the next cycle while status/current is immediate', async () => {
    sim = await buildSim({ speed: 1 })
    await vi.advanceTimersByTimeAsync(10_000)
    const response = await call(sim, 'POST', '/nodes/pve2/qemu/101/status/start')
    const done = sim.followTask(String(response.data))
    await vi.advanceTimersByTimeAsync(2_500)
    expect(await done).toBe('OK')
    expect((await call(sim, 'GET', '/nodes/pve2/qemu/101/status/current')).data).toMatchObject({
      status: 'running',
    })
    expect(await vmEntry(101)).toMatchObject({ status: 'stopped' })
    await vi.advanceTimersByTimeAsync(7_500)
    expect(await vmEntry(101)).toMatchObject({ status: 'running' })
  })

  it('scales the cycle with speed', async () => {
    sim = await buildSim({ speed: 0.1 })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', { vmid: 301 })
    const done = sim.followTask(String(response.data))
    await vi.advanceTimersByTimeAsync(200)
    expect(await done).toBe('OK')
    expect((await vmEntry(301))?.status).toBe('unknown')
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await vmEntry(301))?.status).toBe('stopped')
  })

  it('is always fresh at speed 0', async () => {
    sim = await buildSim({ speed: 0 })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', { vmid: 302 })
    await sim.followTask(String(response.data))
    expect((await vmEntry(302))?.status).toBe('stopped')
  })
})
