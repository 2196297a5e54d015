import { afterEach, describe, expect, it } from 'vitest'

import { isGuestError } from '../../src/guest/errors.js'
import { createMemoryHostKeyStore } from '../../src/guest/host-keys.js'
import { rebootAndWaitForSsh } from '../../src/guest/reboot-and-wait.js'
import type { RebootAndWaitOptions } from '../../src/guest/reboot-and-wait.js'
import { waitForSsh } from '../../src/guest/wait-for-ssh.js'
import { generateKeyPair, startTestGuest } from './test-guest.js'
import type { TestGuest } from './test-guest.js'

const serviceKey = generateKeyPair()
const guests: TestGuest[] = []
afterEach(async () => {
  await Promise.all(guests.splice(0).map((guest) => guest.close()))
})

async function startGuest(options: { port?: number; hostKey?: string } = {}): Promise<TestGuest> {
  const guest = await startTestGuest({ authorizedKey: serviceKey.publicKey, ...options })
  guests.push(guest)
  return guest
}

function rebootOptions(
  guest: TestGuest,
  reboot: RebootAndWaitOptions['reboot'],
): RebootAndWaitOptions {
  return {
    host: guest.host,
    port: guest.port,
    username: 'debian',
    privateKey: serviceKey.privateKey,
    hostKeys: createMemoryHostKeyStore(),
    timeoutMs: 10_000,
    pollMs: 20,
    downTimeoutMs: 10_000,
    reboot,
  }
}

describe('rebootAndWaitForSsh', () => {
  it('waits for the new boot, not the old one that is still answering', async () => {
    const old = await startGuest()
    let next: TestGuest | undefined
    const reboot = (): Promise<void> => {
      // The reboot request returns while the old boot still answers for a moment.
      setTimeout(() => {
        void old.close().then(async () => {
          next = await startGuest({ port: old.port, hostKey: old.hostKey })
        })
      }, 100)
      return Promise.resolve()
    }

    await rebootAndWaitForSsh(rebootOptions(old, reboot))

    expect(next?.commands).toEqual(["'true'"])
  })

  it('does not mistake a reboot faster than any poll for a VM that never went down', async () => {
    const old = await startGuest()
    let next: TestGuest | undefined
    const reboot = async (): Promise<void> => {
      await old.close()
      next = await startGuest({ port: old.port, hostKey: old.hostKey })
    }

    // The port answers again before the first poll: only the session held across the reboot
    // can tell that the old boot went away.
    await rebootAndWaitForSsh({ ...rebootOptions(old, reboot), downTimeoutMs: 1000 })

    expect(next?.commands).toEqual(["'true'"])
  })

  it('sees the old boot go even when the reboot request returns only once the new one answers', async () => {
    const old = await startGuest()
    let next: TestGuest | undefined
    const reboot = async (): Promise<void> => {
      await old.close()
      next = await startGuest({ port: old.port, hostKey: old.hostKey })
      // Like Proxmox's reboot task on a VM that boots at once: it finishes after the new boot
      // answers, so the held session has ended before the request returns.
      await waitForSsh({ ...rebootOptions(next, reboot), hostKeys: createMemoryHostKeyStore() })
    }

    await rebootAndWaitForSsh({ ...rebootOptions(old, reboot), downTimeoutMs: 1000 })

    expect(next?.commands).toEqual(["'true'", "'true'"])
  })

  it('fails when the VM never goes down', async () => {
    const guest = await startGuest()
    const error = await rebootAndWaitForSsh({
      ...rebootOptions(guest, () => Promise.resolve()),
      downTimeoutMs: 200,
    }).catch((caught: unknown) => caught)
    expect(isGuestError(error, 'GUEST_SSH_STILL_UP')).toBe(true)
  })
})
