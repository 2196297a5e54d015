import { randomBytes, randomInt } from 'node:crypto'
import { encrypt } from 'unixcrypt'

const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'

/** A strong password for a VM whose request gave neither password nor key: 20 characters, ~114 bits. */
export function generatePassword(): string {
  let password = ''
  for (let i = 0; i < 20; i += 1) password += alphabet[randomInt(alphabet.length)] ?? 'x'
  return password
}

/**
 * SHA-512 crypt (`$6$`) of a password. Proxmox stores a value that already looks like a hash as
 * it is (pve.md §4.1), so the plain password never appears on a command line or in a config.
 */
export function hashPassword(password: string): string {
  const salt = randomBytes(12)
    .toString('base64')
    .replace(/[^a-zA-Z0-9./]/g, '.')
    .slice(0, 16)
  return encrypt(password, `$6$${salt}`)
}
