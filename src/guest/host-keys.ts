import { GuestError } from './errors.js'

/**
 * Where the host key fingerprints of VMs are remembered, by VM address. A port so that the
 * JSON file can later move into the SQLite store without touching the SSH code.
 */
export interface HostKeyStore {
  /** the fingerprint recorded for `host`, if any */
  get(host: string): string | undefined
  set(host: string, fingerprint: string): void
  /** drops what is known about `host`: call it when the VM at that address is destroyed */
  forget(host: string): void
}

/**
 * Trust on first contact: true when `host` has no recorded key yet (the caller records
 * `fingerprint` once the login succeeds), false when it matches the recorded one, and a
 * `GUEST_HOST_KEY_CHANGED` error naming both fingerprints when it differs.
 */
export function checkHostKey(
  store: HostKeyStore,
  host: string,
  port: number,
  fingerprint: string,
): boolean {
  const known = store.get(host)
  if (known === undefined) return true
  if (known === fingerprint) return false
  throw new GuestError(
    'GUEST_HOST_KEY_CHANGED',
    `${host}:${port}`,
    `host key of ${host}:${port} changed: recorded ${known}, offered ${fingerprint}; refusing ` +
      `to connect (if the VM was reinstalled, forget its old key)`,
  )
}

/** A store that lives as long as the process; for tests and throwaway setups. */
export function createMemoryHostKeyStore(): HostKeyStore {
  const keys = new Map<string, string>()
  return {
    get: (host) => keys.get(host),
    set: (host, fingerprint) => {
      keys.set(host, fingerprint)
    },
    forget: (host) => {
      keys.delete(host)
    },
  }
}
