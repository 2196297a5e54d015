import { createHash } from 'node:crypto'

/**
 * The OpenSSH fingerprint of a public host key blob (the SSH wire encoding), as
 * `ssh-keygen -l` and the first-contact prompt print it: `SHA256:` and unpadded base64.
 */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  const digest = createHash('sha256').update(keyBlob).digest('base64')
  return `SHA256:${digest.replace(/=+$/, '')}`
}
