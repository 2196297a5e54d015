import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto'
import { isIPv4 } from 'node:net'

import {
  bitString,
  boolean,
  explicit,
  implicit,
  objectId,
  octetString,
  sequence,
  set,
  unsignedInteger,
  utcTime,
  utf8String,
} from './der.js'

/** A certificate and its key, ready for `https.createServer`. */
export interface SelfSignedCertificate {
  /** PEM certificate */
  cert: string
  /** PEM PKCS#8 private key */
  key: string
  /** SHA-256 fingerprint as PVE prints it: upper-case hex pairs joined by colons */
  fingerprint256: string
}

export interface SelfSignedOptions {
  /** the certificate's common name (PVE uses the node's name) */
  commonName: string
  /** host names and IPv4 addresses the certificate is valid for */
  altNames: readonly string[]
  /** validity in days from now (default 2 years, as pveproxy's node certificates) */
  days?: number
}

const ecdsaWithSha256 = sequence(objectId('1.2.840.10045.4.3.2'))
const dayMs = 24 * 60 * 60 * 1000

/**
 * Generates a fresh P-256 key and a self-signed certificate for it, as a PVE node has out of the
 * box. It also marks itself a CA, so a client may trust it through a CA file as well as by its
 * pinned fingerprint.
 */
export function createSelfSignedCertificate(options: SelfSignedOptions): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const name = sequence(set(sequence(objectId('2.5.4.3'), utf8String(options.commonName))))
  const now = Date.now()
  const altNames = sequence(
    ...options.altNames.map((alt) =>
      isIPv4(alt)
        ? implicit(7, Buffer.from(alt.split('.').map(Number)))
        : implicit(2, Buffer.from(alt, 'ascii')),
    ),
  )
  const extensions = sequence(
    sequence(objectId('2.5.29.19'), boolean(true), octetString(sequence(boolean(true)))),
    sequence(objectId('2.5.29.17'), octetString(altNames)),
  )
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(randomBytes(16)),
    ecdsaWithSha256,
    name,
    sequence(
      utcTime(new Date(now - dayMs)),
      utcTime(new Date(now + (options.days ?? 730) * dayMs)),
    ),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = sequence(tbs, ecdsaWithSha256, bitString(signature))
  const cert = toPem('CERTIFICATE', der)
  return {
    cert,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint256: new X509Certificate(cert).fingerprint256,
  }
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}
