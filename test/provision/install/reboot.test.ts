import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse, type SseRead } from '../../helpers/sse-client.js'

let t: TestApp
afterEach(async () => {
  await t.close()
})

const rebootStep = 'VM initialization > rebooting VM'

/** Starts of each VM the simulator reports (a reboot is a stop and a start). */
function countStarts(app: TestApp): Map<number, number> {
  const starts = new Map<number, number>()
  app.sim.on('vm-started', (vm) => {
    starts.set(vm.vmid, (starts.get(vm.vmid) ?? 0) + 1)
  })
  return starts
}

async function installWith(
  reboot: string,
  body: Record<string, unknown> = {},
  before?: (app: TestApp) => void,
): Promise<{ stream: SseRead; starts: number; messages: string[] }> {
  t = await buildTestApp({ env: { INSTALL_REBOOT: reboot } })
  const starts = countStarts(t)
  before?.(t)
  const stream = await readSse(`${t.url}/api/vm/install`, {
    body: { os: 'debian', version: '12', passwd: 'pw', ...body },
  })
  expect(stream.steps.filter((step) => step.status === 'error')).toEqual([])
  const messages = stream.steps.filter((s) => s.step === rebootStep).map((s) => s.message)
  return { stream, starts: starts.get(103) ?? 0, messages }
}

describe('VM initialization > rebooting VM', () => {
  it('auto: no reboot when the guest does not ask for one, and the stage still reports', async () => {
    const { starts, messages } = await installWith('auto')
    expect(starts).toBe(1)
    expect(messages.at(-1)).toMatch(
      /^\[\+\] no reboot needed \(no \/run\/reboot-required\) \(\d+\.\d\ds\)$/,
    )
  })

  it('auto: reboots when the first-boot setup left /run/reboot-required', async () => {
    const { starts, messages } = await installWith('auto', {}, (app) => {
      app.simGuests.faults.requireReboot(103)
    })
    expect(starts).toBe(2)
    expect(messages).toContain('[*] reboot required: /run/reboot-required is present')
    expect(messages.at(-1)).toMatch(/^\[\+\] VM rebooted/)
  })

  it('auto on Rocky Linux asks needs-restarting -r', async () => {
    const quiet = await installWith('auto', { os: 'rockylinux', version: '9' })
    expect(quiet.starts).toBe(1)
    expect(quiet.messages.at(-1)).toContain('needs-restarting -r says no reboot is necessary')
    await t.close()
    const asked = await installWith('auto', { os: 'rockylinux', version: '9' }, (app) => {
      app.simGuests.faults.requireReboot(103)
    })
    expect(asked.starts).toBe(2)
    expect(asked.messages).toContain(
      '[*] reboot required: needs-restarting -r says a reboot is required',
    )
  })

  it('always: reboots without asking', async () => {
    const { starts, messages } = await installWith('always')
    expect(starts).toBe(2)
    expect(messages.some((m) => m.includes('asking the guest'))).toBe(false)
    expect(messages.at(-1)).toMatch(/^\[\+\] VM rebooted/)
  })

  it('never: does not reboot even when the guest asks, and says so', async () => {
    const { starts, messages } = await installWith('never', {}, (app) => {
      app.simGuests.faults.requireReboot(103)
    })
    expect(starts).toBe(1)
    expect(messages.at(-1)).toMatch(/^\[\+\] no reboot: INSTALL_REBOOT=never/)
  })
})
