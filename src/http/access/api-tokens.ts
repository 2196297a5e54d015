import { createHash, timingSafeEqual } from 'node:crypto'

/** A configured token: its name and the SHA-256 of its text, hex (`config.auth.tokens`). */
export interface ApiTokenEntry {
  readonly name: string
  readonly sha256: string
}

/** Tells which configured token a request presents, without ever holding the tokens' text. */
export interface ApiTokenVerifier {
  /** true when any token is configured, so every non-open route needs one */
  readonly required: boolean
  /** The name of the token `presented` is, or undefined. */
  identify(presented: string): string | undefined
}

/**
 * Compares the SHA-256 of what a caller presents with every configured hash in constant time
 * and without stopping at a match, so neither the time taken nor the position of a match says
 * anything about the tokens.
 *
 * @example
 * const verifier = createTokenVerifier(config.auth.tokens)
 * verifier.identify(bearer) // 'ci' or undefined
 */
export function createTokenVerifier(tokens: readonly ApiTokenEntry[]): ApiTokenVerifier {
  const known = tokens.map((token) => ({
    name: token.name,
    digest: Buffer.from(token.sha256, 'hex'),
  }))
  return {
    required: known.length > 0,
    identify(presented) {
      const digest = createHash('sha256').update(presented, 'utf8').digest()
      let match: string | undefined
      for (const token of known) {
        if (token.digest.length === digest.length && timingSafeEqual(token.digest, digest)) {
          match ??= token.name
        }
      }
      return match
    },
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined for any other form. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '')
  return match?.[1]
}
