import { Socket } from 'node:net'

import { guestAbortedError, GuestSshFailedError } from './errors.js'

export interface OpenTcpConnectionOptions {
  host: string
  port: number
  /** how long to wait for the connection to be accepted */
  timeoutMs: number
  signal?: AbortSignal | undefined
}

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
}

/**
 * Opens one TCP connection to `host:port` (an IP literal, checked by the caller). Rejects with
 * a `GUEST_SSH_FAILED` error whose `reason` says what happened (refused, no answer in time),
 * or with `GUEST_ABORTED` when `signal` fires first.
 */
export function openTcpConnection(options: OpenTcpConnectionOptions): Promise<Socket> {
  const { host, port, timeoutMs, signal } = options
  const target = `${host}:${port}`
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(guestAbortedError(target, 'TCP connect', signal))
      return
    }
    const socket = new Socket()
    // SSH sends small packets and waits for answers (a channel open, an exec request, a short
    // stdin): with Nagle's algorithm each would sit out the peer's delayed ACK (~40 ms)
    socket.setNoDelay(true)
    const finish = (error: Error | undefined): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      socket.off('connect', onConnect)
      socket.off('error', onError)
      if (error === undefined) {
        resolve(socket)
        return
      }
      socket.destroy()
      reject(error)
    }
    const onConnect = (): void => {
      finish(undefined)
    }
    const onError = (error: NodeJS.ErrnoException): void => {
      const reason = reasons[error.code ?? ''] ?? error.message
      finish(new GuestSshFailedError(target, reason, { cause: error }))
    }
    const onAbort = (): void => {
      if (signal !== undefined) finish(guestAbortedError(target, 'TCP connect', signal))
    }
    const timer = setTimeout(() => {
      finish(new GuestSshFailedError(target, `no TCP answer within ${timeoutMs}ms`))
    }, timeoutMs)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', onConnect)
    socket.once('error', onError)
    socket.connect({ host, port })
  })
}
