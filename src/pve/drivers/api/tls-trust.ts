import { Agent, type RequestOptions } from 'node:https'
import type { Duplex } from 'node:stream'
import { connect, type ConnectionOptions } from 'node:tls'

/**
 * How the api driver decides to trust the node's certificate. Verification is on unless
 * turned off explicitly: the system's CAs, a CA file's certificates (a cluster's
 * `/etc/pve/pve-root-ca.pem`), or one pinned SHA-256 fingerprint (`pvenode cert info`).
 */
export type TlsTrust =
  | { kind: 'system' }
  | { kind: 'ca'; ca: string }
  | { kind: 'fingerprint'; sha256: string }
  | { kind: 'insecure' }

/** A fingerprint in PVE's notation: upper-case hex pairs joined by `:`; undefined if not one. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/:/g, '').toUpperCase()
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined
  return (hex.match(/../g) ?? []).join(':')
}

/** The certificate fingerprint did not match the pinned one; the connection was closed. */
export class FingerprintMismatchError extends Error {
  override readonly name = 'FingerprintMismatchError'
  readonly code = 'PVE_TLS_FINGERPRINT_MISMATCH'
}

/** The TCP connection or the TLS handshake took too long. */
class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError'
  readonly code = 'ETIMEDOUT'
}

/** How long a TLS connection may take to be made and checked (undici's default, too). */
const connectTimeoutMs = 10_000

/**
 * How long an unused kept-alive connection stays open. Shorter than pveproxy's keep-alive, so
 * the client closes it first instead of reusing one the server is closing (a reset); Node also
 * honours a shorter `Keep-Alive: timeout=` hint of the server.
 */
const idleConnectionMs = 4_000

/** What the TLS handshake checks, per kind of trust; a pin is checked after it. */
function handshakeOptions(trust: TlsTrust): ConnectionOptions {
  switch (trust.kind) {
    case 'system':
      return { rejectUnauthorized: true }
    case 'ca':
      return { rejectUnauthorized: true, ca: trust.ca }
    // the chain of a self-signed node certificate cannot verify; the pin replaces that check
    case 'fingerprint':
    case 'insecure':
      return { rejectUnauthorized: false }
  }
}

/**
 * Node's HTTPS agent (kept-alive connections) whose connections are made with the chosen trust.
 * A connection is handed to a request only once its handshake is done and, with a pin, its
 * certificate's fingerprint matched: nothing, not even the token's header, is written to a
 * node that is not the pinned one.
 */
class TrustingAgent extends Agent {
  readonly #handshake: ConnectionOptions
  readonly #pin: string | undefined

  constructor(trust: TlsTrust) {
    super({ keepAlive: true, timeout: idleConnectionMs })
    this.#handshake = handshakeOptions(trust)
    if (trust.kind === 'fingerprint') {
      this.#pin = normalizeFingerprint(trust.sha256)
      if (this.#pin === undefined) throw new Error('not a SHA-256 fingerprint')
    }
  }

  override createConnection(
    options: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | undefined {
    const host = options.host ?? 'localhost'
    const port = Number(options.port ?? 443)
    const socket = connect({
      ...this.#handshake,
      host,
      port,
      // Node's agent names the server for SNI unless the host is an IP address
      ...(options.servername === undefined || options.servername === ''
        ? {}
        : { servername: options.servername }),
    })
    if (callback === undefined) {
      socket.destroy(new Error('the agent gives connections through a callback only'))
      return socket
    }
    const settle = (error: Error | null): void => {
      clearTimeout(timer)
      socket.off('error', settle)
      socket.off('secureConnect', checked)
      if (error !== null) socket.destroy()
      callback(error, socket)
    }
    const checked = (): void => {
      const actual = socket.getPeerCertificate().fingerprint256
      if (this.#pin === undefined || actual === this.#pin) {
        // from here on the agent's idle limit applies, as to a connection it made itself
        socket.setTimeout(idleConnectionMs)
        settle(null)
        return
      }
      settle(
        new FingerprintMismatchError(
          `the certificate of ${host}:${port} has SHA-256 fingerprint ` +
            `${actual || 'none'}, not the pinned ${this.#pin}`,
        ),
      )
    }
    const timer = setTimeout(() => {
      settle(
        new ConnectTimeoutError(`no TLS connection to ${host}:${port} in ${connectTimeoutMs} ms`),
      )
    }, connectTimeoutMs)
    socket.once('secureConnect', checked)
    socket.once('error', settle)
    return undefined
  }
}

/** An HTTPS agent that connects with the chosen trust. */
export function createTlsAgent(trust: TlsTrust): Agent {
  return new TrustingAgent(trust)
}
