import { createHash, timingSafeEqual } from 'node:crypto'

/** An API token the simulator's REST face accepts. */
export interface SimApiToken {
  /** `user@realm!tokenname`, e.g. `pve-qemu@pve!service` */
  id: string
  secret: string
  /** The privileges it holds (privilege separation); left out, it holds every privilege. */
  privileges?: readonly string[]
}

/** Who a request authenticated as, or why it did not. */
export type AuthResult =
  | { ok: true; token: SimApiToken; user: string; tokenName: string }
  | { ok: false; reason: 'No ticket' | 'Authentication failed!' }

const tokenIdPattern = /^([^\s!@]+@[A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)$/

/** Splits `user@realm!name`; undefined when it is not one. */
export function splitTokenId(id: string): { user: string; tokenName: string } | undefined {
  const match = tokenIdPattern.exec(id)
  if (match?.[1] === undefined || match[2] === undefined) return undefined
  return { user: match[1], tokenName: match[2] }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/**
 * Checks an `Authorization` header the way pveproxy reads it (pve.md §6.1):
 * `PVEAPIToken=USER@REALM!TOKENID=SECRET` (a space also separates the scheme), split at the
 * last `=`. The secret is compared in constant time.
 */
export function authenticate(
  header: string | undefined,
  tokens: ReadonlyMap<string, SimApiToken>,
): AuthResult {
  const match = /^PVEAPIToken[= ](.*)$/.exec(header?.trim() ?? '')
  const value = match?.[1]
  if (value === undefined) return { ok: false, reason: 'No ticket' }
  const split = value.lastIndexOf('=')
  if (split <= 0) return { ok: false, reason: 'Authentication failed!' }
  const id = value.slice(0, split)
  const token = tokens.get(id)
  const names = splitTokenId(id)
  if (token === undefined || names === undefined)
    return { ok: false, reason: 'Authentication failed!' }
  if (!timingSafeEqual(digest(value.slice(split + 1)), digest(token.secret))) {
    return { ok: false, reason: 'Authentication failed!' }
  }
  return { ok: true, token, ...names }
}
