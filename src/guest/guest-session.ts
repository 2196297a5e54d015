import type { Client } from 'ssh2'

import { checkGuestAddress } from './check-address.js'
import { connectGuest } from './connect-guest.js'
import { GuestSshFailedError } from './errors.js'
import type { GuestSshTarget } from './guest-target.js'
import { openTcpConnection } from './open-tcp-connection.js'

/** A logged-in connection a session lends out. */
export interface LentConnection {
  client: Client
  /** true when it was held from an earlier step (and may have died unnoticed since) */
  reused: boolean
}

/**
 * One SSH connection to one VM, kept between an install's steps: the readiness check's login is
 * handed over (`adopt`), and the first-boot script and the reboot check run on it instead of each
 * paying a TCP connect, key exchange and login of their own. A connection that closed (the VM
 * rebooted, the network dropped it) is forgotten when it closes, and the next `connection()`
 * opens a new one; `close` ends the session for good.
 */
export class GuestSession {
  readonly target: GuestSshTarget
  #client: Client | undefined
  #closed = false

  constructor(target: GuestSshTarget) {
    checkGuestAddress(target.host, target.port)
    this.target = target
  }

  /** Keeps `client` (logged in to this VM) for the next steps; a closed session ends it. */
  adopt(client: Client): void {
    if (this.#closed) {
      client.end()
      return
    }
    if (this.#client !== undefined && this.#client !== client) this.#client.end()
    this.#client = client
    client.once('close', () => {
      if (this.#client === client) this.#client = undefined
    })
  }

  /** Hands the held connection to the caller, who ends it; undefined when none is open. */
  detach(): Client | undefined {
    const client = this.#client
    this.#client = undefined
    return client
  }

  /** The held connection, or a new one (TCP connect and login, within `timeoutMs`) kept from now. */
  async connection(options: { timeoutMs: number; signal: AbortSignal }): Promise<LentConnection> {
    const held = this.#client
    if (held !== undefined) return { client: held, reused: true }
    if (this.#closed) {
      throw new GuestSshFailedError(`${this.target.host}:${this.target.port}`, 'session closed')
    }
    const socket = await openTcpConnection({
      host: this.target.host,
      port: this.target.port,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    })
    const client = await connectGuest({
      ...this.target,
      socket,
      handshakeTimeoutMs: options.timeoutMs,
      signal: options.signal,
      // it may be held across a reboot: keepalives notice a VM that vanished
      keepaliveMs: 1000,
    })
    this.adopt(client)
    return { client, reused: false }
  }

  /** Ends a connection that failed a step, so the next `connection()` opens a fresh one. */
  discard(client: Client): void {
    if (this.#client === client) this.#client = undefined
    client.end()
  }

  /** Ends the held connection; later steps may not open another. */
  close(): void {
    this.#closed = true
    this.#client?.end()
    this.#client = undefined
  }
}

/**
 * Runs `work` on the session's connection. When a connection held from an earlier step fails
 * before `work` saw any sign of life from it (`started` false: it had died unnoticed, e.g. the
 * VM went down), the step is tried once more on a fresh connection; a failure on a fresh one, or
 * after the command answered, is the step's failure.
 */
export async function onSession<T>(
  session: GuestSession,
  options: { timeoutMs: number; signal: AbortSignal },
  work: (client: Client, started: () => void) => Promise<T>,
): Promise<T> {
  const { client, reused } = await session.connection(options)
  const seen = { answer: false }
  try {
    return await work(client, () => {
      seen.answer = true
    })
  } catch (error) {
    session.discard(client)
    if (!reused || seen.answer || !(error instanceof GuestSshFailedError)) throw error
    if (isAborted(options.signal)) throw error
    const fresh = await session.connection(options)
    try {
      return await work(fresh.client, () => undefined)
    } catch (again) {
      session.discard(fresh.client)
      throw again
    }
  }
}

/** Read through a call, so the compiler does not assume the flag kept its earlier value. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted
}
