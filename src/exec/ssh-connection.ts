import type { Client } from 'ssh2'

import { abortedError, ExecError } from './errors.js'
import { hostKeyFingerprint } from './host-key-fingerprint.js'

export interface SshConnectionOptions {
  host: string
  port: number
  username: string
  privateKey: string | Buffer
  /** The host key fingerprint to insist on; learned on first contact when absent. */
  pinned?: string
  onFirstContact?: (fingerprint: string) => void
  connectTimeoutMs: number
  keepaliveMs: number
  keepaliveCountMax: number
}

/**
 * One reused SSH connection to one node. `client()` hands out the live connection, opening it
 * when there is none; a connection that closes (node rebooted, keepalive unanswered) is
 * forgotten, so the next call reconnects.
 */
export class SshConnection {
  readonly target: string
  readonly #options: SshConnectionOptions
  #pinned: string | undefined
  #current: Promise<Client> | undefined
  /** The connection `#current` resolved to, to forget it synchronously when it closes. */
  #client: Client | undefined
  #closed = false

  constructor(options: SshConnectionOptions) {
    this.#options = options
    this.#pinned = options.pinned
    this.target = `ssh ${options.username}@${options.host}:${options.port}`
  }

  /** The pinned host key fingerprint, once known. */
  get fingerprint(): string | undefined {
    return this.#pinned
  }

  /** The live connection, or a new one. `fresh` says whether it was opened for this call. */
  async client(signal?: AbortSignal): Promise<{ client: Client; fresh: boolean }> {
    if (this.#closed) {
      throw new ExecError('EXEC_SSH_FAILED', this.target, `${this.target}: executor is closed`)
    }
    const fresh = this.#current === undefined
    this.#current ??= this.#connect()
    const pending = this.#current
    if (signal === undefined) return { client: await pending, fresh }
    return { client: await raceAbort(pending, signal, this.target), fresh }
  }

  /** Forgets `client` if it is the current connection and ends it. */
  discard(client: Client): void {
    this.#forget(client)
    client.end()
  }

  #forget(client: Client): void {
    if (this.#client !== client) return
    this.#client = undefined
    this.#current = undefined
  }

  async close(): Promise<void> {
    this.#closed = true
    const pending = this.#current
    this.#current = undefined
    this.#client = undefined
    if (pending === undefined) return
    const client = await pending.catch(() => undefined)
    if (client === undefined) return
    await new Promise<void>((resolve) => {
      client.once('close', () => {
        resolve()
      })
      client.end()
    })
  }

  async #connect(): Promise<Client> {
    const { host, port, username, privateKey, connectTimeoutMs, keepaliveMs } = this.#options
    // ssh2 (with the 16 MB WebAssembly heap of its poly1305) loads on the first connection: a
    // cli driver whose nodes are all reached locally never needs it
    const { Client } = await import('ssh2')
    const client = new Client()
    let refusal: ExecError | undefined
    const connecting = new Promise<Client>((resolve, reject) => {
      client.once('ready', () => {
        client.off('error', onConnectError)
        this.#client = client
        resolve(client)
      })
      const onConnectError = (error: Error): void => {
        this.#current = undefined
        reject(refusal ?? this.#failure(`cannot connect: ${error.message}`, error))
      }
      client.once('error', onConnectError)
    })
    client.on('error', () => undefined)
    client.on('close', () => {
      this.#forget(client)
    })
    try {
      client.connect({
        host,
        port,
        username,
        privateKey,
        readyTimeout: connectTimeoutMs,
        keepaliveInterval: keepaliveMs,
        keepaliveCountMax: this.#options.keepaliveCountMax,
        hostVerifier: (key: Buffer): boolean => {
          refusal = this.#verifyHostKey(key)
          return refusal === undefined
        },
      })
    } catch (error) {
      // ssh2 throws synchronously for a key it cannot parse; never echo the key itself.
      this.#current = undefined
      throw this.#failure('cannot use the private key', error)
    }
    return connecting
  }

  #verifyHostKey(key: Buffer): ExecError | undefined {
    const seen = hostKeyFingerprint(key)
    if (this.#pinned === undefined) {
      this.#pinned = seen
      this.#options.onFirstContact?.(seen)
      return undefined
    }
    if (this.#pinned === seen) return undefined
    return new ExecError(
      'EXEC_HOST_KEY_CHANGED',
      this.target,
      `host key of ${this.#options.host}:${this.#options.port} changed: expected ${this.#pinned}, ` +
        `got ${seen}; refusing to connect`,
    )
  }

  #failure(message: string, cause: unknown): ExecError {
    return new ExecError('EXEC_SSH_FAILED', this.target, `${this.target}: ${message}`, { cause })
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, target: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(target, signal))
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(abortedError(target, signal))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}
