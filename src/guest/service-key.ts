import { chmodSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { hostKeyFingerprint } from '../exec/index.js'
import { generateEd25519Key } from './ed25519-key.js'
import { GuestError } from './errors.js'
import { readOpenSshPrivateKey } from './openssh-private-key.js'
import { writeFileAtomically } from './write-file-atomically.js'

/** The key pair the service logs into its VMs with; cloud-init puts the public half in them. */
export interface ServiceKey {
  /** OpenSSH private key text; never log it, never send it anywhere */
  privateKey: string
  /** one authorized_keys line: `ssh-ed25519 AAAA… pve-qemu` */
  publicKey: string
  /** as `ssh-keygen -l` prints it: `SHA256:…` */
  fingerprint: string
}

const keyComment = 'pve-qemu'

/** Where the private key lives inside DATA_DIR. */
export function serviceKeyPath(dataDir: string): string {
  return join(dataDir, 'ssh', 'id_ed25519')
}

/**
 * The service's SSH key, generated on first use: an ed25519 key written to
 * `DATA_DIR/ssh/id_ed25519` with mode 0600 (atomically, so a crash or a second process never
 * leaves half a key) and read back on every later call.
 *
 * @example
 * const key = loadOrCreateServiceKey(config.dataDir)
 * log.info({ fingerprint: key.fingerprint }, 'service ssh key ready')
 */
export function loadOrCreateServiceKey(dataDir: string): ServiceKey {
  const path = serviceKeyPath(dataDir)
  const existing = readKeyFile(path)
  if (existing !== undefined) return describeKey(path, existing)

  const pair = generateEd25519Key(keyComment)
  try {
    mkdirSync(join(dataDir, 'ssh'), { recursive: true, mode: 0o700 })
    // Another process may have created the key meanwhile: then its key wins and is read back.
    writeFileAtomically(path, pair.privateKey, { mode: 0o600, exclusive: true })
  } catch (error) {
    throw keyError(path, 'cannot be written', error)
  }
  const written = readKeyFile(path)
  if (written === undefined) throw keyError(path, 'vanished right after it was written')
  return describeKey(path, written)
}

function readKeyFile(path: string): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined
    throw keyError(path, 'cannot be read', error)
  }
  // ssh refuses keys others can read; tighten a key copied in with looser permissions.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
  return text
}

// Read without ssh2, which the service loads only when it first logs into a VM; nothing of the
// key's text goes into an error.
function describeKey(path: string, privateKey: string): ServiceKey {
  const key = readOpenSshPrivateKey(privateKey)
  switch (key.kind) {
    case 'public':
      throw keyError(path, 'holds a public key, not a private key')
    case 'encrypted':
      throw keyError(path, 'is protected by a passphrase; the service needs it without one')
    case 'unreadable':
      throw keyError(
        path,
        'is not an unencrypted OpenSSH private key (ssh-keygen -t ed25519 writes one)',
      )
    case 'private':
      return {
        privateKey,
        publicKey: `${key.type} ${key.publicBlob.toString('base64')} ${keyComment}`,
        fingerprint: hostKeyFingerprint(key.publicBlob),
      }
  }
}

function keyError(path: string, problem: string, cause?: unknown): GuestError {
  return new GuestError(
    'GUEST_SERVICE_KEY_INVALID',
    path,
    `service SSH key ${path} ${problem}`,
    cause === undefined ? undefined : { cause },
  )
}
