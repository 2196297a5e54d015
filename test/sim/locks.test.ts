import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Simulator } from '../../src/sim/index.js'
import { buildSim, call } from './helpers.js'

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

describe('locks', () => {
  it('times out the storage allocation lock under 20 parallel creates on one storage', async () => {
    sim = await buildSim({ speed: 1, demoVms: false })
    const warnings: string[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning.name)
    process.on('warning', onWarning)
    const upids: string[] = []
    for (let i = 0; i < 20; i++) {
      const response = await call(sim, 'POST', '/nodes/pve1/qemu', {
        vmid: 400 + i,
        scsi0: 'local-lvm:8',
      })
      upids.push(String(response.data))
    }
    const results = Promise.all(upids.map((upid) => sim.followTask(upid)))
    await vi.advanceTimersByTimeAsync(30_000)
    const statuses = await results
    process.off('warning', onWarning)
    // 20 tasks waiting at once on the simulator's one close signal is not a listener leak
    expect(warnings).not.toContain('MaxListenersExceededWarning')
    const failed = statuses.filter((s) => s !== 'OK')
    expect(failed.length).toBeGreaterThan(0)
    expect(statuses.filter((s) => s === 'OK').length).toBeGreaterThan(0)
    for (const status of failed) {
      expect(status).toMatch(
        /^unable to create VM 4\d\d - can't lock file '\/var\/lock\/pve-manager\/pve-storage-local-lvm' - got timeout$/,
      )
    }
    const left = sim.snapshot()
    expect(left.vms).toHaveLength(statuses.filter((s) => s === 'OK').length)
    expect(left.storages.flatMap((s) => s.volumes)).toHaveLength(left.vms.length)
  })

  it('makes a config change wait for the VM lock a shutdown holds', async () => {
    sim = await buildSim({ speed: 1 })
    const shutdown = await call(sim, 'POST', '/nodes/pve1/qemu/100/status/shutdown', {
      timeout: 30,
    })
    await vi.advanceTimersByTimeAsync(100)
    let answered = false
    const put = call(sim, 'PUT', '/nodes/pve1/qemu/100/config', { name: 'x' }).finally(() => {
      answered = true
    })
    await vi.advanceTimersByTimeAsync(2_000)
    expect(answered).toBe(false)
    // the shutdown ends after 3 s, so the config change gets the lock in time
    await vi.advanceTimersByTimeAsync(1_500)
    expect((await put).status).toBe(200)
    expect(await sim.followTask(String(shutdown.data))).toBe('OK')
  })

  it('fails a config change that waits more than 10 s for the lock', async () => {
    sim = await buildSim({ speed: 1 })
    sim.faults.inject({ operation: 'shutdown', vmid: 100 })
    const shutdown = await call(sim, 'POST', '/nodes/pve1/qemu/100/status/shutdown', {
      timeout: 20,
    })
    await vi.advanceTimersByTimeAsync(100)
    const put = call(sim, 'PUT', '/nodes/pve1/qemu/100/config', { name: 'x' })
    await vi.advanceTimersByTimeAsync(10_100)
    expect(await put).toMatchObject({
      status: 500,
      message: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
    })
    const lines: string[] = []
    const start = await call(sim, 'POST', '/nodes/pve1/qemu/100/status/stop')
    const stopped = sim.followTask(String(start.data), (l) => lines.push(l))
    await vi.advanceTimersByTimeAsync(12_000)
    expect(await sim.followTask(String(shutdown.data))).toBe(
      'VM quit/powerdown failed - got timeout',
    )
    expect(await stopped).toBe('OK')
    expect(lines).toEqual(['trying to acquire lock...', ' OK'])
  })
})
