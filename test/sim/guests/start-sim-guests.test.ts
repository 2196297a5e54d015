import { existsSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { createSshExecutor } from '../../../src/exec/index.js'
import { isGuestError } from '../../../src/guest/errors.js'
import { createMemoryHostKeyStore } from '../../../src/guest/host-keys.js'
import type { HostKeyStore } from '../../../src/guest/host-keys.js'
import { renderInitScript } from '../../../src/guest/init-script.js'
import { rebootAndWaitForSsh } from '../../../src/guest/reboot-and-wait.js'
import { runGuestScript } from '../../../src/guest/run-script.js'
import { waitForSsh } from '../../../src/guest/wait-for-ssh.js'
import type { WaitForSshOptions } from '../../../src/guest/wait-for-ssh.js'
import { waitForSshDown } from '../../../src/guest/wait-for-ssh-down.js'
import { findRelease } from '../../../src/images/os-catalog.js'
import { createApiDriver } from '../../../src/pve/drivers/api/index.js'
import { createInProcessTransport } from '../../../src/sim/faces/in-process-transport.js'
import { startSimGuests } from '../../../src/sim/guests/index.js'
import type { SimGuests, StartSimGuestsOptions } from '../../../src/sim/guests/index.js'
import { qcow2Header, type Simulator } from '../../../src/sim/index.js'
import { makeTempDir } from '../../exec/temp-dir.js'
import { freePort, generateKeyPair } from '../../guest/test-guest.js'
import { buildSim, call, runTask } from '../helpers.js'

const serviceKey = generateKeyPair()
const userKey = generateKeyPair()
const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined }

let sim: Simulator
let guests: SimGuests
let port: number

beforeEach(async () => {
  sim = await buildSim({ demoVms: false })
  port = await freePort()
})
afterEach(async () => {
  await guests.close()
  await sim.close()
})

function startGuests(options: Partial<StartSimGuestsOptions> = {}): SimGuests {
  guests = startSimGuests({
    sim,
    port,
    hostFor: (vmid) => `127.0.0.${vmid}`,
    bootDelayMs: () => 30,
    log: quietLog,
    scriptStepDelayMs: 5,
    ...options,
  })
  return guests
}

async function createVm(vmid: number, config: Record<string, string> = {}): Promise<void> {
  const sshkeys = encodeURIComponent(`${serviceKey.publicKey}\n${userKey.publicKey}\n`)
  const task = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
    vmid,
    ciuser: 'debian',
    sshkeys,
    ipconfig0: `ip=127.0.0.${vmid}/24,gw=127.0.0.1`,
    ...config,
  })
  expect(task.exitstatus).toBe('OK')
}

async function power(vmid: number, action: 'start' | 'stop' | 'reboot'): Promise<void> {
  const task = await runTask(sim, 'POST', `/nodes/pve1/qemu/${vmid}/status/${action}`)
  expect(task.exitstatus).toBe('OK')
}

function sshTo(
  vmid: number,
  hostKeys: HostKeyStore,
  overrides: Partial<WaitForSshOptions> = {},
): WaitForSshOptions {
  return {
    host: `127.0.0.${vmid}`,
    port,
    username: 'debian',
    privateKey: serviceKey.privateKey,
    hostKeys,
    timeoutMs: 10_000,
    pollMs: 20,
    ...overrides,
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a failure')
}

describe('simulated guests', () => {
  it('answer SSH on the cloud-init address once a started VM has booted', async () => {
    startGuests()
    await createVm(105)
    expect(guests.running()).toEqual([])
    await power(105, 'start')
    const hostKeys = createMemoryHostKeyStore()

    await waitForSsh(sshTo(105, hostKeys))

    expect(guests.running()).toEqual([105])
    expect(hostKeys.get('127.0.0.105')).toBe(guests.hostKeyFingerprint(105))
  })

  it('let in only the cloud-init user with a cloud-init key', async () => {
    startGuests()
    await createVm(106)
    await power(106, 'start')
    const hostKeys = createMemoryHostKeyStore()
    await waitForSsh(sshTo(106, hostKeys, { privateKey: userKey.privateKey }))

    const wrongUser = await failureOf(
      waitForSsh(sshTo(106, hostKeys, { username: 'root', timeoutMs: 300 })),
    )
    const wrongKey = await failureOf(
      waitForSsh(
        sshTo(106, hostKeys, { privateKey: generateKeyPair().privateKey, timeoutMs: 300 }),
      ),
    )

    for (const error of [wrongUser, wrongKey]) {
      expect(isGuestError(error, 'GUEST_SSH_TIMEOUT')).toBe(true)
      expect(String(error)).toContain('the service key was not accepted')
    }
  })

  it('emulate the init script, printing its progress without running it here', async () => {
    startGuests()
    await createVm(107)
    await power(107, 'start')
    const hostKeys = createMemoryHostKeyStore()
    await waitForSsh(sshTo(107, hostKeys))
    const temp = makeTempDir()
    const marker = join(temp.dir, 'ran-on-the-host')
    const release = findRelease('ubuntu', '22.04')
    if (release === undefined) throw new Error('ubuntu 22.04 missing from the catalog')
    const script = `${renderInitScript(release, { timezone: 'UTC' })}\ntouch '${marker}'\n`
    const lines: string[] = []

    try {
      await runGuestScript({
        ...sshTo(107, hostKeys),
        script,
        onLine: (line, stream) => lines.push(`${stream}: ${line}`),
      })
      expect(existsSync(marker)).toBe(false)
    } finally {
      temp.remove()
    }
    expect(lines).toEqual([
      'stdout: waiting for cloud-init to finish',
      'stdout: installing: qemu-guest-agent curl ca-certificates htop',
      'stdout: starting qemu-guest-agent',
      'stdout: setting the time zone to UTC',
      'stdout: first-boot setup finished',
    ])
  })

  it('answer any other command like bash does for an unknown one', async () => {
    startGuests()
    await createVm(108)
    await power(108, 'start')
    await waitForSsh(sshTo(108, createMemoryHostKeyStore()))
    const executor = createSshExecutor({
      host: '127.0.0.108',
      port,
      username: 'debian',
      privateKey: serviceKey.privateKey,
    })
    try {
      const result = await executor.run(['uname', '-a'])
      expect(result).toMatchObject({ exitCode: 127, stderr: 'bash: uname: command not found\n' })
    } finally {
      await executor.close()
    }
  })

  it('disappear when the VM stops, dropping open sessions', async () => {
    startGuests({ scriptStepDelayMs: 50 })
    await createVm(109)
    await power(109, 'start')
    const hostKeys = createMemoryHostKeyStore()
    await waitForSsh(sshTo(109, hostKeys))
    const script = Array.from({ length: 100 }, (_, n) => `say 'step ${n}'`).join('\n')
    let stopping: Promise<void> | undefined

    const error = await failureOf(
      runGuestScript({
        ...sshTo(109, hostKeys),
        script,
        onLine: () => {
          stopping ??= power(109, 'stop')
        },
      }),
    )
    await stopping

    expect(isGuestError(error, 'GUEST_SSH_FAILED')).toBe(true)
    expect(guests.running()).toEqual([])
    await waitForSshDown({ host: '127.0.0.109', port, timeoutMs: 5000 })
  })

  it('keep their host key across a reboot; a reinstalled VM gets a new one', async () => {
    startGuests()
    await createVm(110)
    await power(110, 'start')
    const hostKeys = createMemoryHostKeyStore()
    await waitForSsh(sshTo(110, hostKeys))
    const first = hostKeys.get('127.0.0.110')

    await power(110, 'reboot')
    await waitForSsh(sshTo(110, hostKeys))
    expect(guests.hostKeyFingerprint(110)).toBe(first)

    await power(110, 'stop')
    expect((await runTask(sim, 'DELETE', '/nodes/pve1/qemu/110')).exitstatus).toBe('OK')
    await createVm(110)
    await power(110, 'start')
    const refused = await failureOf(waitForSsh(sshTo(110, hostKeys)))
    expect(isGuestError(refused, 'GUEST_HOST_KEY_CHANGED')).toBe(true)

    hostKeys.forget('127.0.0.110')
    await waitForSsh(sshTo(110, hostKeys))
    expect(hostKeys.get('127.0.0.110')).not.toBe(first)
  })

  it('can be made to never answer, or to fail the init script', async () => {
    startGuests()
    guests.faults.neverAnswer(111)
    guests.faults.failScript(112)
    await createVm(111)
    await createVm(112)
    await power(111, 'start')
    await power(112, 'start')
    const hostKeys = createMemoryHostKeyStore()

    const silent = await failureOf(waitForSsh(sshTo(111, hostKeys, { timeoutMs: 500 })))
    expect(isGuestError(silent, 'GUEST_SSH_TIMEOUT')).toBe(true)

    await waitForSsh(sshTo(112, hostKeys))
    const script = "say 'installing: curl'\nsay 'done'\n"
    const failed = await failureOf(
      runGuestScript({ ...sshTo(112, hostKeys), script, onLine: () => undefined }),
    )
    expect(failed).toMatchObject({ code: 'GUEST_SCRIPT_FAILED', exitCode: 1 })
    // The fault was for one run only.
    await runGuestScript({ ...sshTo(112, hostKeys), script, onLine: () => undefined })
  })

  it('never listen on an address outside loopback', async () => {
    const warned = new Promise<unknown>((resolve) => {
      startGuests({ log: { ...quietLog, warn: (context: unknown) => resolve(context) } })
    })
    await createVm(113, { ipconfig0: 'ip=192.168.0.113/24,gw=192.168.0.1' })
    await power(113, 'start')
    expect(await warned).toEqual({ vmid: 113 })
    expect(guests.running()).toEqual([])
  })

  it('do not come up when the VM stops while booting', async () => {
    startGuests({ bootDelayMs: () => 100 })
    await createVm(114)
    await createVm(115)
    await power(114, 'start')
    await power(114, 'stop')
    await power(115, 'start')
    await waitForSsh(sshTo(115, createMemoryHostKeyStore()))
    expect(guests.running()).toEqual([115])
  })

  it('boot the VMs that were already running when they started', async () => {
    await createVm(116)
    const config = sim.snapshot().vms.find((vm) => vm.vmid === 116)?.config ?? {}
    startGuests({ alreadyRunning: [{ vmid: 116, node: 'pve1', config }] })
    await waitForSsh(sshTo(116, createMemoryHostKeyStore()))
    expect(guests.running()).toEqual([116])
  })

  describe('across a reboot', () => {
    // The composition root's path: the API driver on the simulator, polling the reboot task.
    const rebootThroughCluster = (vmid: number) => {
      const cluster = createApiDriver({
        transport: createInProcessTransport(sim),
        description: 'simulated cluster',
        taskPollMs: 50,
      })
      return async (signal: AbortSignal | undefined): Promise<void> => {
        await cluster.rebootVm('pve1', vmid, signal === undefined ? {} : { signal })
      }
    }

    async function bootedVm(vmid: number, hostKeys: HostKeyStore): Promise<void> {
      await createVm(vmid)
      await power(vmid, 'start')
      await waitForSsh(sshTo(vmid, hostKeys))
    }

    it('let rebootAndWaitForSsh see an instant reboot go and come back', async () => {
      // At SIM_SPEED=0 the VM stops and starts in one tick and its SSH answers again at once:
      // the reboot task is over before the port could ever be seen closed.
      startGuests({ bootDelayMs: () => 0 })
      const hostKeys = createMemoryHostKeyStore()
      await bootedVm(117, hostKeys)
      const bootedAt = guests.hostKeyFingerprint(117)

      await rebootAndWaitForSsh({
        ...sshTo(117, hostKeys),
        downTimeoutMs: 2000,
        reboot: rebootThroughCluster(117),
      })

      expect(guests.running()).toEqual([117])
      expect(guests.hostKeyFingerprint(117)).toBe(bootedAt)
    })

    it('let rebootAndWaitForSsh wait for a VM that takes a while to boot again', async () => {
      startGuests({ bootDelayMs: () => 300 })
      const hostKeys = createMemoryHostKeyStore()
      await bootedVm(118, hostKeys)

      await rebootAndWaitForSsh({
        ...sshTo(118, hostKeys),
        downTimeoutMs: 2000,
        reboot: rebootThroughCluster(118),
      })

      expect(guests.running()).toEqual([118])
    })

    it('keep the session of a VM whose reboot never happens, so the wait fails', async () => {
      startGuests({ bootDelayMs: () => 0 })
      const hostKeys = createMemoryHostKeyStore()
      await bootedVm(119, hostKeys)

      const error = await failureOf(
        rebootAndWaitForSsh({
          ...sshTo(119, hostKeys),
          downTimeoutMs: 300,
          reboot: () => Promise.resolve(),
        }),
      )

      expect(isGuestError(error, 'GUEST_SSH_STILL_UP')).toBe(true)
    })

    it('come back after a boot that could not listen', async () => {
      const warned = new Promise<unknown>((resolve) => {
        startGuests({ bootDelayMs: () => 0, log: { ...quietLog, warn: resolve } })
      })
      await createVm(120)
      const squatter = createServer()
      await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.120', resolve))
      try {
        await power(120, 'start')
        expect(await warned).toMatchObject({ vmid: 120, host: '127.0.0.120' })
      } finally {
        await new Promise((resolve) => squatter.close(resolve))
      }
      expect(guests.running()).toEqual([])

      await power(120, 'reboot')
      await waitForSsh(sshTo(120, createMemoryHostKeyStore()))
      expect(guests.running()).toEqual([120])
    })
  })

  describe('and the guest agent', () => {
    const notRunning = 'QEMU guest agent is not running'

    /** The agent's answer to ping: `ok`, or the error message. */
    async function agentPing(vmid: number): Promise<string> {
      const response = await call(sim, 'POST', `/nodes/pve1/qemu/${vmid}/agent/ping`)
      return response.status === 200 ? 'ok' : (response.message ?? String(response.status))
    }

    it('install it on Debian with the first-boot script: it answers from then on, across restarts', async () => {
      startGuests()
      const temp = makeTempDir()
      const image = join(temp.dir, 'debian-12-genericcloud-amd64.qcow2')
      try {
        writeFileSync(image, qcow2Header(3 * 1024 ** 3))
        await createVm(121, {
          agent: '1',
          scsi0: `local-lvm:0,import-from=${image}`,
          ide2: 'local-lvm:cloudinit',
          boot: 'order=scsi0',
        })
      } finally {
        temp.remove()
      }
      await power(121, 'start')
      const hostKeys = createMemoryHostKeyStore()
      await waitForSsh(sshTo(121, hostKeys))
      // booted (its SSH answers), but Debian's cloud image has no qemu-guest-agent
      expect(await agentPing(121)).toBe(notRunning)

      // a script that fails, or one that does not touch the agent, leaves it missing
      guests.faults.failScript(121)
      const release = findRelease('debian', '12')
      if (release === undefined) throw new Error('debian 12 missing from the catalog')
      const initScript = renderInitScript(release, { timezone: 'UTC' })
      const failed = await failureOf(
        runGuestScript({ ...sshTo(121, hostKeys), script: initScript, onLine: () => undefined }),
      )
      expect(failed).toMatchObject({ code: 'GUEST_SCRIPT_FAILED' })
      expect(await agentPing(121)).toBe(notRunning)
      await runGuestScript({
        ...sshTo(121, hostKeys),
        script: "say 'installing: curl'\n",
        onLine: () => undefined,
      })
      expect(await agentPing(121)).toBe(notRunning)

      await runGuestScript({ ...sshTo(121, hostKeys), script: initScript, onLine: () => undefined })
      expect(await agentPing(121)).toBe('ok')
      await power(121, 'stop')
      await power(121, 'start')
      await waitForSsh(sshTo(121, hostKeys))
      expect(await agentPing(121)).toBe('ok')
    })
  })
})
