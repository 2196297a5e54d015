import type { Client } from 'ssh2'

import { quoteForShell } from '../exec/index.js'
import { sleep } from '../lib/sleep.js'
import { checkGuestAddress } from './check-address.js'
import { connectGuest } from './connect-guest.js'
import {
  guestAbortedError,
  GuestSshFailedError,
  GuestSshTimeoutError,
  isGuestError,
} from './errors.js'
import { execOnGuest } from './exec-on-guest.js'
import type { GuestSshTarget } from './guest-target.js'
import { openTcpConnection } from './open-tcp-connection.js'

export interface WaitForSshOptions extends GuestSshTarget {
  /** give up after this long, all attempts included */
  timeoutMs: number
  /** pause between attempts; at most 1000 */
  pollMs: number
  signal?: AbortSignal | undefined
  /** called after each failed attempt, e.g. to report progress */
  onAttempt?: (attempt: { attempt: number; reason: string }) => void
  /** how long the TCP probe of each attempt waits (default 1000) */
  probeTimeoutMs?: number
  /** how long the SSH handshake and login of each attempt may take (default 10000) */
  handshakeTimeoutMs?: number
  /**
   * `logged-in` (default): ready once the service key logs in and runs `true`, as an install
   * needs. `answering`: also ready once sshd completes the handshake (host key checked) and
   * refuses the key — a VM the service did not install still proves its SSH is up.
   */
  readyWhen?: 'logged-in' | 'answering'
  /**
   * Takes the connection the successful attempt logged in with, instead of it being closed
   * (`GuestSession.adopt`): the next steps run on it without a login of their own.
   */
  keep?: ((client: Client) => void) | undefined
}

/**
 * Resolves once the VM lets the service key in and runs `true`. Each attempt first opens a
 * TCP connection (a quick no when nothing listens yet), then does the SSH handshake and login
 * over it; a failed attempt is retried after `pollMs` until `timeoutMs` is spent, then it
 * rejects with `GUEST_SSH_TIMEOUT` naming host:port, the attempts and the last reason.
 * A changed host key stops the wait at once (`GUEST_HOST_KEY_CHANGED`), so does `signal`
 * (`GUEST_ABORTED`).
 *
 * @example
 * await waitForSsh({ host: '10.0.0.105', port: 22, username: 'debian', privateKey,
 *   hostKeys, timeoutMs: 300_000, pollMs: 1000, signal })
 */
export async function waitForSsh(options: WaitForSshOptions): Promise<void> {
  const { host, port, signal, timeoutMs } = options
  checkGuestAddress(host, port)
  const target = `${host}:${port}`
  const deadline = Date.now() + timeoutMs
  const pollMs = Math.min(Math.max(options.pollMs, 0), 1000)
  let attempts = 0
  let lastReason = 'no attempt was made'

  for (;;) {
    if (signal?.aborted === true) throw guestAbortedError(target, 'waiting for SSH', signal)
    const remaining = deadline - Date.now()
    if (remaining <= 0) throw new GuestSshTimeoutError(target, timeoutMs, attempts, lastReason)
    attempts += 1
    try {
      await tryLogin(options, remaining)
      return
    } catch (error) {
      if (signal !== undefined && isAborted(signal)) {
        throw guestAbortedError(target, 'waiting for SSH', signal)
      }
      if (error instanceof GuestSshFailedError && error.loginRefused) {
        if (options.readyWhen === 'answering') return
      }
      if (error instanceof GuestSshFailedError) lastReason = error.reason
      // The attempt ran into the overall deadline: an earlier attempt's reason says more.
      else if (isGuestError(error, 'GUEST_ABORTED')) {
        if (attempts === 1) lastReason = 'no answer before the deadline'
      }
      // a changed host key, a bad address: waiting won't help
      else throw error
    }
    options.onAttempt?.({ attempt: attempts, reason: lastReason })
    const pause = Math.min(pollMs, deadline - Date.now())
    if (pause > 0) {
      await sleep(pause, signal).catch(() => {
        if (signal !== undefined) throw guestAbortedError(target, 'waiting for SSH', signal)
      })
    }
  }
}

/** Keepalive interval of a connection kept after the readiness check. */
const keptKeepaliveMs = 1000

async function tryLogin(options: WaitForSshOptions, remainingMs: number): Promise<void> {
  const { host, port, signal } = options
  const target = `${host}:${port}`
  const deadlineSignal = AbortSignal.timeout(remainingMs)
  const attemptSignal =
    signal === undefined ? deadlineSignal : AbortSignal.any([signal, deadlineSignal])
  const socket = await openTcpConnection({
    host,
    port,
    timeoutMs: Math.min(options.probeTimeoutMs ?? 1000, remainingMs),
    signal: attemptSignal,
  })
  const client = await connectGuest({
    ...options,
    socket,
    handshakeTimeoutMs: Math.min(options.handshakeTimeoutMs ?? 10_000, remainingMs),
    signal: attemptSignal,
    // a kept connection may be held across a reboot: keepalives notice a VM that vanished
    ...(options.keep === undefined ? {} : { keepaliveMs: keptKeepaliveMs }),
  })
  let kept = false
  try {
    const exit = await execOnGuest(client, target, quoteForShell(['true']), {
      what: 'readiness check',
      signal: attemptSignal,
    })
    if (exit.exitCode !== 0) {
      throw new GuestSshFailedError(
        target,
        `the readiness check \`true\` ended with ${exit.exitCode ?? exit.signal ?? 'no status'}`,
      )
    }
    if (options.keep !== undefined) {
      options.keep(client)
      kept = true
    }
  } finally {
    if (!kept) client.end()
  }
}

/** Read through a call, so the compiler does not assume the flag kept its earlier value. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
