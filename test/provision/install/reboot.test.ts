import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse, type SseRead } from '../../helpers/sse-client.js'
import { openStream, stepsOf } from '../../jobs/helpers/live-stream.js'

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

  it('auto: readiness, first-boot script and reboot check share one SSH login', async () => {
    const { messages } = await installWith('auto')
    expect(messages.at(-1)).toMatch(/^\[\+\] no reboot needed/)
    // one boot, one connection: the script and the check ran on the readiness check's login
    expect(t.simGuests.logins(103)).toEqual([1])
  })

  it('auto with a reboot: the old boot keeps its one login, ready is a fresh login into the new boot', async () => {
    const { stream, starts } = await installWith('auto', {}, (app) => {
      app.simGuests.faults.requireReboot(103)
    })
    expect(starts).toBe(2)
    // the kept connection was the session watched across the reboot: no second login into the
    // old boot; the new boot was logged into (the readiness check) before the install ended
    expect(t.simGuests.logins(103)).toEqual([1, 1])
    expect(stream.steps.at(-1)).toMatchObject({ status: 'success', vm_id: 103 })
  })

  it('always: nothing says rebooted or finished before the new boot answers SSH', async () => {
    t = await buildTestApp({ env: { INSTALL_REBOOT: 'always' } })
    const app = t
    let release: (() => void) | undefined
    // the reboot's stop: the boot after it is held until the test lets it go
    app.sim.on('vm-stopped', (vm) => {
      if (vm.vmid === 103 && release === undefined) release = app.simGuests.faults.holdBoot(103)
    })
    // meanwhile the test listens on the VM's SSH address: the install trying the new boot is
    // seen here, and each try is cut before any SSH greeting
    const tried = latch()
    const stand = createServer((socket) => {
      socket.destroy()
      tried.open()
    })
    const stream = await openStream(`${app.url}/api/vm/install`, {
      method: 'POST',
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    await stream.until((event) => event.data.message === '[*] rebooting VM')
    await until(() => !app.simGuests.running().includes(103))
    await listen(stand, '127.0.0.103', app.config.install.guestSshPort)
    await tried.opened
    const early = stepsOf(stream).filter(
      (step) => step.message.startsWith('[+] VM rebooted') || step.step.endsWith('finalizing'),
    )
    expect(early).toEqual([])
    expect(stream.closed()).toBe(false)
    await new Promise<void>((resolve) => stand.close(() => resolve()))
    release?.()
    await stream.ended
    const steps = stepsOf(stream)
    expect(steps.some((step) => step.message.startsWith('[+] VM rebooted'))).toBe(true)
    expect(steps.at(-1)).toMatchObject({ status: 'success', vm_id: 103 })
    expect(app.simGuests.logins(103)).toEqual([1, 1])
  })

  it('never: does not reboot even when the guest asks, and says so', async () => {
    const { starts, messages } = await installWith('never', {}, (app) => {
      app.simGuests.faults.requireReboot(103)
    })
    expect(starts).toBe(1)
    expect(messages.at(-1)).toMatch(/^\[\+\] no reboot: INSTALL_REBOOT=never/)
  })
})

function latch(): { opened: Promise<void>; open: () => void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

/** Listens once the VM's own sshd has let go of the address (its close may lag a turn). */
async function listen(server: Server, host: string, port: number): Promise<void> {
  for (;;) {
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve)
      server.listen(port, host, () => {
        server.off('error', resolve)
        resolve(undefined)
      })
    })
    if (error === undefined) return
    if (!('code' in error) || error.code !== 'EADDRINUSE') throw error
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Resolves once `condition` holds, checking at each turn of the event loop's timers. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}
