import { sleep } from '../lib/sleep.js'
import { checkGuestAddress } from './check-address.js'
import { guestAbortedError, GuestError, GuestSshFailedError } from './errors.js'
import { openTcpConnection } from './open-tcp-connection.js'

export interface WaitForSshDownOptions {
  host: string
  port: number
  /** give up after this long */
  timeoutMs: number
  signal?: AbortSignal | undefined
  /** pause between probes (default 200) */
  pollMs?: number
  /** how long one probe waits for the connection to be accepted (default 1000) */
  probeTimeoutMs?: number
}

/**
 * Resolves as soon as nothing accepts TCP connections on `host:port` any more (refused, or no
 * answer within the probe timeout): the VM went down. Used after asking for a reboot, so that
 * the next `waitForSsh` cannot succeed against the boot that is ending. Rejects with
 * `GUEST_SSH_STILL_UP` after `timeoutMs`, or `GUEST_ABORTED` when `signal` fires.
 */
export async function waitForSshDown(options: WaitForSshDownOptions): Promise<void> {
  const { host, port, signal, timeoutMs } = options
  checkGuestAddress(host, port)
  const target = `${host}:${port}`
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const remaining = deadline - Date.now()
    if (remaining <= 0) {
      throw new GuestError(
        'GUEST_SSH_STILL_UP',
        target,
        `${target} still answered after ${timeoutMs}ms; the VM did not go down`,
      )
    }
    try {
      const socket = await openTcpConnection({
        host,
        port,
        timeoutMs: options.probeTimeoutMs ?? 1000,
        signal,
      })
      socket.destroy()
    } catch (error) {
      if (error instanceof GuestSshFailedError) return
      throw error
    }
    const pause = Math.min(options.pollMs ?? 200, deadline - Date.now())
    if (pause > 0) {
      await sleep(pause, signal).catch(() => {
        if (signal !== undefined) throw guestAbortedError(target, 'waiting for SSH to stop', signal)
      })
    }
  }
}
