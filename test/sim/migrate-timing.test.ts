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

describe('migration at realistic speed', () => {
  it('keeps the VM locked while it moves, holds its flock, and logs a duration under 30 s for a demo VM', async () => {
    sim = await buildSim({ speed: 1 })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu/100/migrate', {
      target: 'pve3',
      online: 1,
      'with-local-disks': 1,
    })
    const lines: string[] = []
    const done = sim.followTask(String(response.data), (line) => lines.push(line))
    await vi.advanceTimersByTimeAsync(5_000)
    expect(await call(sim, 'GET', '/nodes/pve1/qemu/100/status/current')).toMatchObject({
      data: { lock: 'migrate' },
    })
    // the migration holds the config flock throughout, so even skiplock waits and times out
    const put = call(sim, 'PUT', '/nodes/pve1/qemu/100/config', { name: 'x', skiplock: 1 })
    await vi.advanceTimersByTimeAsync(10_100)
    expect(await put).toMatchObject({
      status: 500,
      message: "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
    })
    await vi.advanceTimersByTimeAsync(30_000)
    expect(await done).toBe('OK')
    const duration = /migration finished successfully \(duration 00:00:(\d\d)\)$/.exec(
      lines.at(-1) ?? '',
    )
    expect(Number(duration?.[1])).toBeLessThan(30)
    expect(Number(duration?.[1])).toBeGreaterThan(5)
  })
})
