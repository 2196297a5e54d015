import { TLSSocket } from 'node:tls'

import { Agent, buildConnector } from 'undici'

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

function pinnedConnector(expected: string): buildConnector.connector {
  // the chain of a self-signed node certificate cannot verify; the pin replaces that check
  const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 })
  return (options, callback) => {
    connect(options, (error, socket) => {
      if (error !== null) {
        callback(error, null)
        return
      }
      const actual = socket instanceof TLSSocket ? socket.getPeerCertificate().fingerprint256 : ''
      if (actual === expected) {
        callback(null, socket)
        return
      }
      socket.destroy()
      callback(
        new FingerprintMismatchError(
          `the certificate of ${options.hostname}:${options.port} has SHA-256 fingerprint ` +
            `${actual || 'none'}, not the pinned ${expected}`,
        ),
        null,
      )
    })
  }
}

/** An undici dispatcher that connects with the chosen trust. */
export function createTlsAgent(trust: TlsTrust): Agent {
  switch (trust.kind) {
    case 'system':
      return new Agent({ connect: { rejectUnauthorized: true } })
    case 'ca':
      return new Agent({ connect: { rejectUnauthorized: true, ca: trust.ca } })
    case 'fingerprint': {
      const expected = normalizeFingerprint(trust.sha256)
      if (expected === undefined) throw new Error('not a SHA-256 fingerprint')
      return new Agent({ connect: pinnedConnector(expected) })
    }
    case 'insecure':
      return new Agent({ connect: { rejectUnauthorized: false } })
  }
}
