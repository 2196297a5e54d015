import { afterEach, describe, expect, it } from 'vitest'

import { GuestSshTimeoutError, isGuestError } from '../../src/guest/errors.js'
import { createMemoryHostKeyStore } from '../../src/guest/host-keys.js'
import type { HostKeyStore } from '../../src/guest/host-keys.js'
import { waitForSsh } from '../../src/guest/wait-for-ssh.js'
import type { WaitForSshOptions } from '../../src/guest/wait-for-ssh.js'
import { freePort, generateKeyPair, startTestGuest } from './test-guest.js'
import type { TestGuest } from './test-guest.js'

const serviceKey = generateKeyPair()
const guests: TestGuest[] = []
afterEach(async () => {
  await Promise.all(guests.splice(0).map((guest) => guest.close()))
})

async function startGuest(options: { port?: number; hostKey?: string; key?: string } = {}) {
  const guest = await startTestGuest({
    authorizedKey: options.key ?? serviceKey.publicKey,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.hostKey === undefined ? {} : { hostKey: options.hostKey }),
  })
  guests.push(guest)
  return guest
}

function waitOptions(
  port: number,
  hostKeys: HostKeyStore,
  overrides: Partial<WaitForSshOptions> = {},
): WaitForSshOptions {
  return {
    host: '127.0.0.1',
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

describe('waitForSsh', () => {
  it('keeps trying until the VM answers, then logs in and records its host key', async () => {
    const port = await freePort()
    const hostKeys = createMemoryHostKeyStore()
    const reasons: string[] = []
    let booting: Promise<TestGuest> | undefined

    await waitForSsh(
      waitOptions(port, hostKeys, {
        onAttempt: ({ attempt, reason }) => {
          reasons.push(reason)
          // The VM "boots" after the second refused attempt.
          if (attempt === 2) booting = startGuest({ port })
        },
      }),
    )

    const guest = await booting
    expect(reasons).toEqual(['connection refused', 'connection refused'])
    expect(guest?.commands).toEqual(["'true'"])
    expect(hostKeys.get('127.0.0.1')).toBe(guest?.fingerprint)
  })

  it('times out with the address, the attempts and the last reason', async () => {
    const port = await freePort()
    const error = await failureOf(
      waitForSsh(waitOptions(port, createMemoryHostKeyStore(), { timeoutMs: 300, pollMs: 50 })),
    )
    expect(error).toBeInstanceOf(GuestSshTimeoutError)
    expect(isGuestError(error, 'GUEST_SSH_TIMEOUT')).toBe(true)
    const message = String(error)
    expect(message).toContain(`127.0.0.1:${port}`)
    expect(message).toMatch(/\(\d+ attempts; last: connection refused\)/)
    if (error instanceof GuestSshTimeoutError) expect(error.attempts).toBeGreaterThan(1)
  })

  it('does not accept a VM that refuses the service key, and does not record it', async () => {
    const guest = await startGuest({ key: generateKeyPair().publicKey })
    const hostKeys = createMemoryHostKeyStore()
    const error = await failureOf(
      waitForSsh(waitOptions(guest.port, hostKeys, { timeoutMs: 500, pollMs: 50 })),
    )
    expect(isGuestError(error, 'GUEST_SSH_TIMEOUT')).toBe(true)
    expect(String(error)).toContain('last: the service key was not accepted')
    expect(hostKeys.get('127.0.0.1')).toBeUndefined()
  })

  it('with readyWhen answering, takes a VM whose sshd refuses the key as up, not before', async () => {
    const port = await freePort()
    const hostKeys = createMemoryHostKeyStore()
    const reasons: string[] = []
    await waitForSsh(
      waitOptions(port, hostKeys, {
        readyWhen: 'answering',
        onAttempt: ({ reason }) => {
          reasons.push(reason)
          if (reasons.length === 2) void startGuest({ port, key: generateKeyPair().publicKey })
        },
      }),
    )
    expect(reasons.slice(0, 2)).toEqual(['connection refused', 'connection refused'])
    expect(reasons.at(-1)).toBe('connection refused')
    expect(hostKeys.get('127.0.0.1')).toBeUndefined()
  })

  it('refuses a changed host key at once, naming both fingerprints', async () => {
    const before = await startGuest()
    const hostKeys = createMemoryHostKeyStore()
    await waitForSsh(waitOptions(before.port, hostKeys))
    await before.close()
    const after = await startGuest({ port: before.port })
    const attempts: number[] = []

    const error = await failureOf(
      waitForSsh(
        waitOptions(after.port, hostKeys, { onAttempt: ({ attempt }) => attempts.push(attempt) }),
      ),
    )

    expect(isGuestError(error, 'GUEST_HOST_KEY_CHANGED')).toBe(true)
    expect(String(error)).toContain(`127.0.0.1:${after.port}`)
    expect(String(error)).toContain(before.fingerprint)
    expect(String(error)).toContain(after.fingerprint)
    expect(attempts).toEqual([])
    expect(after.commands).toEqual([])
  })

  it('accepts the new key of a reinstalled VM once the old one is forgotten', async () => {
    const hostKeys = createMemoryHostKeyStore()
    hostKeys.set('127.0.0.1', 'SHA256:oldoldoldoldoldoldoldoldoldoldoldoldoldoldo')
    const guest = await startGuest()
    hostKeys.forget('127.0.0.1')
    await waitForSsh(waitOptions(guest.port, hostKeys))
    expect(hostKeys.get('127.0.0.1')).toBe(guest.fingerprint)
  })

  it('keeps working with the same VM after a reboot (same host key)', async () => {
    const hostKeys = createMemoryHostKeyStore()
    const first = await startGuest()
    await waitForSsh(waitOptions(first.port, hostKeys))
    await first.close()
    const again = await startGuest({ port: first.port, hostKey: first.hostKey })
    await waitForSsh(waitOptions(again.port, hostKeys))
    expect(again.commands).toEqual(["'true'"])
  })

  it('stops waiting when cancelled', async () => {
    const port = await freePort()
    const controller = new AbortController()
    const error = await failureOf(
      waitForSsh(
        waitOptions(port, createMemoryHostKeyStore(), {
          timeoutMs: 60_000,
          pollMs: 1000,
          signal: controller.signal,
          onAttempt: () => {
            controller.abort(new Error('job cancelled'))
          },
        }),
      ),
    )
    expect(isGuestError(error, 'GUEST_ABORTED')).toBe(true)
  })

  it('contacts only an IP address it was given, never a name', async () => {
    const error = await failureOf(
      waitForSsh({ ...waitOptions(22, createMemoryHostKeyStore()), host: 'localhost' }),
    )
    expect(isGuestError(error, 'GUEST_INVALID_ADDRESS')).toBe(true)
    expect(String(error)).toContain('"localhost"')
  })
})
