import type { Client } from 'ssh2'

import { checkGuestAddress } from './check-address.js'
import { connectGuest } from './connect-guest.js'
import { GuestSshFailedError } from './errors.js'
import { openTcpConnection } from './open-tcp-connection.js'
import { waitForSsh } from './wait-for-ssh.js'
import type { WaitForSshOptions } from './wait-for-ssh.js'
import { waitForSshDown } from './wait-for-ssh-down.js'

export interface RebootAndWaitOptions extends WaitForSshOptions {
  /** asks for the reboot (through Proxmox); resolves once the request was accepted */
  reboot: (signal: AbortSignal | undefined) => Promise<void>
  /** how long the VM may take to go down after `reboot` resolves */
  downTimeoutMs: number
}

/**
 * Reboots the VM and waits until it answers SSH again, from the new boot. Before the reboot
 * it opens an SSH session and keeps it: the session ending (or the port closing) proves the
 * old boot is gone, even when the VM comes back faster than any poll could see it go. When no
 * session can be opened first (SSH broken, the very reason to reboot), it watches the port.
 * `timeoutMs` bounds the wait for the new boot; `downTimeoutMs` the wait for the old one to go
 * (`GUEST_SSH_STILL_UP`).
 */
export async function rebootAndWaitForSsh(options: RebootAndWaitOptions): Promise<void> {
  const { host, port, signal } = options
  checkGuestAddress(host, port)
  const session = await holdSession(options)
  try {
    // Watched from before the request: an instant reboot ends the session before it resolves.
    const sessionEnded = session === undefined ? undefined : endOf(session)
    await options.reboot(signal)
    await waitUntilDown(options, sessionEnded)
  } finally {
    session?.end()
  }
  await waitForSsh(options)
}

async function holdSession(options: RebootAndWaitOptions): Promise<Client | undefined> {
  const { host, port, signal } = options
  try {
    const socket = await openTcpConnection({ host, port, timeoutMs: 1000, signal })
    return await connectGuest({
      ...options,
      socket,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      signal,
      keepaliveMs: 1000,
    })
  } catch (error) {
    if (error instanceof GuestSshFailedError) return undefined
    throw error
  }
}

/** Resolves when the session's connection closes, for whatever reason. */
function endOf(session: Client): Promise<void> {
  return new Promise<void>((resolve) => {
    session.once('close', () => {
      resolve()
    })
  })
}

/** Resolves once the old boot is gone: `sessionEnded` settles or the port stops answering. */
async function waitUntilDown(
  options: RebootAndWaitOptions,
  sessionEnded: Promise<void> | undefined,
): Promise<void> {
  const { host, port, signal, downTimeoutMs } = options
  const stop = new AbortController()
  const watchSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal])
  const portClosed = waitForSshDown({ host, port, timeoutMs: downTimeoutMs, signal: watchSignal })
  try {
    await Promise.race(sessionEnded === undefined ? [portClosed] : [sessionEnded, portClosed])
  } finally {
    stop.abort()
    await portClosed.catch(() => undefined)
  }
}
