import { describe, expect, it } from 'vitest'

import { isGuestError } from '../../src/guest/errors.js'
import { waitForSshDown } from '../../src/guest/wait-for-ssh-down.js'
import { freePort, generateKeyPair, startTestGuest } from './test-guest.js'

const serviceKey = generateKeyPair()

describe('waitForSshDown', () => {
  it('resolves once the port stops answering', async () => {
    const guest = await startTestGuest({ authorizedKey: serviceKey.publicKey })
    const down = waitForSshDown({
      host: guest.host,
      port: guest.port,
      timeoutMs: 10_000,
      pollMs: 20,
    })
    await guest.close()
    await expect(down).resolves.toBeUndefined()
  })

  it('resolves at once when nothing listens', async () => {
    const port = await freePort()
    await expect(
      waitForSshDown({ host: '127.0.0.1', port, timeoutMs: 10_000 }),
    ).resolves.toBeUndefined()
  })

  it('fails when the VM keeps answering', async () => {
    const guest = await startTestGuest({ authorizedKey: serviceKey.publicKey })
    try {
      const error = await waitForSshDown({
        host: guest.host,
        port: guest.port,
        timeoutMs: 200,
        pollMs: 20,
      }).catch((caught: unknown) => caught)
      expect(isGuestError(error, 'GUEST_SSH_STILL_UP')).toBe(true)
      expect(String(error)).toContain(`${guest.host}:${guest.port} still answered`)
    } finally {
      await guest.close()
    }
  })

  it('stops when cancelled', async () => {
    const guest = await startTestGuest({ authorizedKey: serviceKey.publicKey })
    try {
      const error = await waitForSshDown({
        host: guest.host,
        port: guest.port,
        timeoutMs: 60_000,
        pollMs: 1000,
        signal: AbortSignal.abort(new Error('job cancelled')),
      }).catch((caught: unknown) => caught)
      expect(isGuestError(error, 'GUEST_ABORTED')).toBe(true)
    } finally {
      await guest.close()
    }
  })
})
