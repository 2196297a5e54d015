import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { GuestError } from './errors.js'
import type { HostKeyStore } from './host-keys.js'
import { writeFileAtomically } from './write-file-atomically.js'

/** Where the JSON host key store keeps its file inside DATA_DIR. */
export function hostKeyStorePath(dataDir: string): string {
  return join(dataDir, 'ssh', 'guest-host-keys.json')
}

/**
 * A HostKeyStore kept in `DATA_DIR/ssh/guest-host-keys.json` (`{ "<ip>": "SHA256:…" }`), read
 * once when created and rewritten atomically on every change. One process owns the file.
 */
export function createJsonHostKeyStore(dataDir: string): HostKeyStore {
  const path = hostKeyStorePath(dataDir)
  const keys = readStore(path)
  const save = (): void => {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
      writeFileAtomically(path, `${JSON.stringify(Object.fromEntries(keys), null, 2)}\n`, {
        mode: 0o600,
      })
    } catch (error) {
      throw storeError(path, 'cannot be written', error)
    }
  }
  return {
    get: (host) => keys.get(host),
    set: (host, fingerprint) => {
      if (keys.get(host) === fingerprint) return
      keys.set(host, fingerprint)
      save()
    },
    forget: (host) => {
      if (keys.delete(host)) save()
    },
  }
}

function readStore(path: string): Map<string, string> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return new Map()
    throw storeError(path, 'cannot be read', error)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw storeError(path, 'is not valid JSON', error)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw storeError(path, 'must hold one JSON object of address to fingerprint')
  }
  const keys = new Map<string, string>()
  for (const [host, fingerprint] of Object.entries(data)) {
    if (typeof fingerprint !== 'string' || !fingerprint.startsWith('SHA256:')) {
      throw storeError(path, `has no SHA256 fingerprint for "${host}"`)
    }
    keys.set(host, fingerprint)
  }
  return keys
}

function storeError(path: string, problem: string, cause?: unknown): GuestError {
  return new GuestError(
    'GUEST_HOST_KEY_STORE_INVALID',
    path,
    `guest host key file ${path} ${problem}`,
    cause === undefined ? undefined : { cause },
  )
}
