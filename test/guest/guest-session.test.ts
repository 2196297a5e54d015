import { afterEach, describe, expect, it } from 'vitest'

import { isGuestError } from '../../src/guest/errors.js'
import { GuestSession } from '../../src/guest/guest-session.js'
import { createMemoryHostKeyStore } from '../../src/guest/host-keys.js'
import { rebootAndWaitForSsh } from '../../src/guest/reboot-and-wait.js'
import { runGuestCheck } from '../../src/guest/run-guest-check.js'
import { runGuestScript } from '../../src/guest/run-script.js'
import { waitForSsh } from '../../src/guest/wait-for-ssh.js'
import { generateKeyPair, startTestGuest } from './test-guest.js'
import type { TestGuest, TestGuestOptions } from './test-guest.js'

const serviceKey = generateKeyPair()
const guests: TestGuest[] = []
const sessions: GuestSession[] = []
afterEach(async () => {
  for (const session of sessions.splice(0)) session.close()
  await Promise.all(guests.splice(0).map((guest) => guest.close()))
})

const script = "'sudo' '-n' 'bash' '-s'"

async function startGuest(options: Partial<TestGuestOptions> = {}): Promise<TestGuest> {
  const guest = await startTestGuest({ authorizedKey: serviceKey.publicKey, ...options })
  guests.push(guest)
  return guest
}

/** Answers the init script with one line and status 0. */
function scriptSucceeds(channel: Parameters<NonNullable<TestGuestOptions['onCommand']>>[0]): void {
  channel.write('first-boot setup finished\n')
  channel.exit(0)
  channel.end()
}

function sessionTo(guest: TestGuest): {
  session: GuestSession
  target: Parameters<typeof waitForSsh>[0]
} {
  const target = {
    host: guest.host,
    port: guest.port,
    username: 'debian',
    privateKey: serviceKey.privateKey,
    hostKeys: createMemoryHostKeyStore(),
    timeoutMs: 10_000,
    pollMs: 20,
  }
  const session = new GuestSession(target)
  sessions.push(session)
  return { session, target }
}

async function ready(guest: TestGuest): Promise<ReturnType<typeof sessionTo>> {
  const opened = sessionTo(guest)
  await waitForSsh({ ...opened.target, keep: (client) => opened.session.adopt(client) })
  return opened
}

describe('one SSH connection for readiness, first-boot script and reboot check', () => {
  it('runs the script and the check on the connection the readiness check logged in with', async () => {
    const guest = await startGuest({
      onCommand: (channel, commandLine) => {
        if (commandLine === script) scriptSucceeds(channel)
        else {
          channel.exit(1)
          channel.end()
        }
      },
    })
    const { session, target } = await ready(guest)
    const lines: string[] = []

    await runGuestScript({
      ...target,
      session,
      script: 'echo hi',
      timeoutMs: 10_000,
      onLine: (line) => lines.push(line),
    })
    const check = await runGuestCheck({
      ...target,
      session,
      argv: ['test', '-f', '/run/reboot-required'],
      what: 'reboot check',
      timeoutMs: 10_000,
    })

    expect(lines).toEqual(['first-boot setup finished'])
    expect(check.exitCode).toBe(1)
    expect(guest.commands).toEqual(["'true'", script, "'test' '-f' '/run/reboot-required'"])
    expect(guest.logins()).toBe(1)
  })

  it('opens a new connection when the kept one was lost (the VM went down and came back)', async () => {
    const onCommand: TestGuestOptions['onCommand'] = (channel) => {
      scriptSucceeds(channel)
    }
    const first = await startGuest({ onCommand })
    const { session, target } = await ready(first)
    await first.close()
    const again = await startGuest({ onCommand, port: first.port, hostKey: first.hostKey })

    await runGuestScript({
      ...target,
      session,
      script: 'true',
      timeoutMs: 10_000,
      onLine: () => undefined,
    })

    expect(first.commands).toEqual(["'true'"])
    expect(again.commands).toEqual([script])
    expect(again.logins()).toBe(1)
  })

  it('retries once on a fresh connection when the kept one dies before the script answers', async () => {
    let scripts = 0
    const guest = await startGuest({
      onCommand: (channel) => {
        scripts += 1
        // the first run: the connection breaks before the script printed or exited
        if (scripts === 1) channel.close()
        else scriptSucceeds(channel)
      },
    })
    const { session, target } = await ready(guest)
    const lines: string[] = []

    await runGuestScript({
      ...target,
      session,
      script: 'true',
      timeoutMs: 10_000,
      onLine: (line) => lines.push(line),
    })

    expect(scripts).toBe(2)
    expect(lines).toEqual(['first-boot setup finished'])
    expect(guest.logins()).toBe(2)
  })

  it('does not run a failed script again: only a connection lost before any answer is retried', async () => {
    const guest = await startGuest({
      onCommand: (channel) => {
        channel.stderr.write('E: no network\n')
        channel.exit(1)
        channel.end()
      },
    })
    const { session, target } = await ready(guest)

    const error = await runGuestScript({
      ...target,
      session,
      script: 'true',
      timeoutMs: 10_000,
      onLine: () => undefined,
    }).catch((caught: unknown) => caught)

    expect(isGuestError(error, 'GUEST_SCRIPT_FAILED')).toBe(true)
    expect(guest.commands.filter((command) => command === script)).toHaveLength(1)
  })

  it('watches the kept connection across a reboot, and is ready only on a new login into the new boot', async () => {
    const onCommand: TestGuestOptions['onCommand'] = (channel) => {
      scriptSucceeds(channel)
    }
    const old = await startGuest({ onCommand })
    const { session, target } = await ready(old)
    let next: TestGuest | undefined
    let loginsAtReady: number | undefined

    // the reboot: the old boot is gone at once, the new one answers only later
    const reboot = async (): Promise<void> => {
      await old.close()
      setTimeout(() => {
        void startGuest({ onCommand, port: old.port, hostKey: old.hostKey }).then((guest) => {
          next = guest
        })
      }, 50)
    }
    await rebootAndWaitForSsh({ ...target, session, reboot, downTimeoutMs: 10_000 }).then(() => {
      loginsAtReady = next?.logins()
    })

    // the old boot: one login (readiness), asked once more that it is alive, no second login
    expect(old.logins()).toBe(1)
    expect(old.commands).toEqual(["'true'", "'true'"])
    // ready meant a login into the new boot that ran `true`
    expect(loginsAtReady).toBe(1)
    expect(next?.commands).toEqual(["'true'"])

    // and the new boot's login is the one the next step uses
    await runGuestScript({
      ...target,
      session,
      script: 'true',
      timeoutMs: 10_000,
      onLine: () => undefined,
    })
    expect(next?.logins()).toBe(1)
    expect(next?.commands).toEqual(["'true'", script])
  })

  it('a closed session ends its connection and opens no other', async () => {
    const guest = await startGuest()
    const { session, target } = await ready(guest)
    session.close()

    const error = await runGuestCheck({
      ...target,
      session,
      argv: ['true'],
      what: 'check',
      timeoutMs: 10_000,
    }).catch((caught: unknown) => caught)

    expect(isGuestError(error, 'GUEST_SSH_FAILED')).toBe(true)
    expect(guest.logins()).toBe(1)
  })
})
