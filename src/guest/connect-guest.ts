import type { Socket } from 'node:net'

import type { Client } from 'ssh2'

import { hostKeyFingerprint } from '../exec/index.js'
import { guestAbortedError, GuestError, GuestSshFailedError } from './errors.js'
import type { GuestSshTarget } from './guest-target.js'
import { checkHostKey } from './host-keys.js'

export interface ConnectGuestOptions extends GuestSshTarget {
  /** an open TCP connection to the VM, which becomes the SSH transport */
  socket: Socket
  /** how long the SSH handshake and login may take */
  handshakeTimeoutMs: number
  signal?: AbortSignal | undefined
  /** sends keepalives this often once logged in, so a VM that vanished is noticed */
  keepaliveMs?: number
}

/**
 * Logs into the VM over `socket` with the service key. The host key is checked against the
 * store before any credential is sent, and recorded only after a successful login.
 */
export async function connectGuest(options: ConnectGuestOptions): Promise<Client> {
  const { host, port, hostKeys, signal } = options
  const target = `${host}:${port}`
  // ssh2 loads on the first login, not with the service (see src/exec/ssh-connection.ts); the
  // socket may fail meanwhile, which must not go unheard (an unheard 'error' ends the process)
  let early: Error | undefined
  const hold = (error: Error): void => {
    early ??= error
  }
  options.socket.on('error', hold)
  const { Client } = await import('ssh2').finally(() => options.socket.off('error', hold))
  if (early !== undefined || options.socket.destroyed) {
    options.socket.destroy()
    throw new GuestSshFailedError(target, 'connection closed during the handshake', {
      cause: early,
    })
  }
  const client = new Client()
  let refusal: GuestError | undefined
  let firstContact: string | undefined

  return new Promise<Client>((resolve, reject) => {
    const settle = (error: Error | undefined): void => {
      signal?.removeEventListener('abort', onAbort)
      client.off('ready', onReady)
      client.off('error', onError)
      client.off('close', onClose)
      if (error === undefined) {
        resolve(client)
        return
      }
      client.end()
      options.socket.destroy()
      reject(error)
    }
    const onReady = (): void => {
      if (firstContact !== undefined) hostKeys.set(host, firstContact)
      settle(undefined)
    }
    const onError = (error: Error & { level?: string }): void => {
      const loginRefused = error.level === 'client-authentication'
      settle(
        refusal ??
          new GuestSshFailedError(target, describeSshFailure(error), {
            cause: error,
            loginRefused,
          }),
      )
    }
    const onClose = (): void => {
      settle(refusal ?? new GuestSshFailedError(target, 'connection closed during the handshake'))
    }
    const onAbort = (): void => {
      if (signal !== undefined) settle(guestAbortedError(target, 'SSH login', signal))
    }
    if (signal?.aborted === true) {
      onAbort()
      return
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    client.once('ready', onReady)
    client.on('error', onError)
    client.once('close', onClose)
    // Errors after the login are seen by whoever uses the connection, through 'close'.
    client.on('error', () => undefined)
    try {
      client.connect({
        sock: options.socket,
        username: options.username,
        privateKey: options.privateKey,
        readyTimeout: options.handshakeTimeoutMs,
        keepaliveInterval: options.keepaliveMs ?? 0,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer): boolean => {
          const fingerprint = hostKeyFingerprint(key)
          try {
            if (checkHostKey(hostKeys, host, port, fingerprint)) firstContact = fingerprint
            return true
          } catch (error) {
            refusal = error instanceof GuestError ? error : undefined
            return false
          }
        },
      })
    } catch {
      // ssh2 throws synchronously for a key it cannot parse; its text may quote the key.
      settle(new GuestSshFailedError(target, 'the service private key cannot be used'))
    }
  })
}

const failureByLevel: Record<string, string> = {
  'client-authentication': 'the service key was not accepted',
  'client-timeout': 'no SSH handshake in time',
}

function describeSshFailure(error: Error & { level?: string }): string {
  return failureByLevel[error.level ?? ''] ?? error.message
}
