import type { Client } from 'ssh2'

import { checkGuestAddress } from './check-address.js'
import { quoteForShell } from '../exec/index.js'
import { connectGuest } from './connect-guest.js'
import { execOnGuest } from './exec-on-guest.js'
import type { GuestSession } from './guest-session.js'
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
  /**
   * The install's connection to the VM: its held connection is the session watched across the
   * reboot (no login of its own), and the new boot's login is kept in it afterwards.
   */
  session?: GuestSession | undefined
}

/**
 * Reboots the VM and waits until it answers SSH again, from the new boot. Before the reboot
 * it opens an SSH session (or takes the `session`'s open connection once it answered `true`)
 * and keeps it: the session ending (or the port closing) proves the old boot is gone, even when the VM comes back faster than any poll could see it go. When no
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
  const { session: kept } = options
  // "ready" is a fresh login into the new boot, kept for whatever comes next
  await waitForSsh({
    ...options,
    ...(kept === undefined ? {} : { keep: (client: Client) => kept.adopt(client) }),
  })
}

async function holdSession(options: RebootAndWaitOptions): Promise<Client | undefined> {
  const { host, port, signal } = options
  const held = options.session?.detach()
  // a held connection proves the old boot alive only once it answers now: a connection that
  // closes later is then the reboot's doing, not an earlier loss noticed late
  if (held !== undefined && (await answers(held, `${host}:${port}`, signal))) return held
  held?.end()
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

async function answers(client: Client, target: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const exit = await execOnGuest(client, target, quoteForShell(['true']), {
      what: 'session check',
      signal,
    })
    return exit.exitCode === 0
  } catch (error) {
    if (error instanceof GuestSshFailedError) return false
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
