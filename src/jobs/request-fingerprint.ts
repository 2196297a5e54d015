import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const keyLength = 32
/** scrypt's cost: slow enough that a stored fingerprint does not give away a weak password. */
const cost = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

/**
 * A salted scrypt hash of a request body, stored with an idempotent job so a repeat of the
 * request can be recognised without storing the body itself (which may hold a password).
 * Key order does not matter: `{a, b}` and `{b, a}` fingerprint alike.
 *
 * @example
 * const fingerprint = await fingerprintRequest(body)
 * await matchesFingerprint(fingerprint, body) // true
 */
export async function fingerprintRequest(body: unknown): Promise<string> {
  const salt = randomBytes(16)
  const hash = await derive(canonicalJson(body), salt)
  return `scrypt:${salt.toString('base64url')}:${hash.toString('base64url')}`
}

/** True when `body` is the request `fingerprint` was made from. */
export async function matchesFingerprint(fingerprint: string, body: unknown): Promise<boolean> {
  const [scheme, saltText, hashText] = fingerprint.split(':')
  if (scheme !== 'scrypt' || saltText === undefined || hashText === undefined) return false
  const expected = Buffer.from(hashText, 'base64url')
  if (expected.length !== keyLength) return false
  const actual = await derive(canonicalJson(body), Buffer.from(saltText, 'base64url'))
  return timingSafeEqual(actual, expected)
}

function derive(text: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(text, salt, keyLength, cost, (error, key) => {
      if (error === null) resolve(key)
      else reject(error)
    })
  })
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner
    return Object.fromEntries(
      Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    )
  })
}
