import type { Database } from 'better-sqlite3'

/** Whose keys a table holds: new VMs (by address) or cluster nodes (by node name). */
export type HostKeyKind = 'guest' | 'node'

/**
 * Recorded SSH host key fingerprints of one kind; the shape of the guest module's
 * `HostKeyStore` port, so it can stand in for the JSON file.
 */
export interface HostKeyTable {
  get(host: string): string | undefined
  set(host: string, fingerprint: string): void
  forget(host: string): void
}

export function createHostKeyTable(db: Database, kind: HostKeyKind, now: () => Date): HostKeyTable {
  const get = db
    .prepare<[string, string], string>(
      'SELECT fingerprint FROM host_keys WHERE kind = ? AND host = ?',
    )
    .pluck()
  const set = db.prepare<[string, string, string, string]>(
    `INSERT INTO host_keys (kind, host, fingerprint, recorded_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (kind, host) DO UPDATE SET fingerprint = excluded.fingerprint,
        recorded_at = excluded.recorded_at`,
  )
  const forget = db.prepare<[string, string]>('DELETE FROM host_keys WHERE kind = ? AND host = ?')
  return {
    get: (host) => get.get(kind, host),
    set: (host, fingerprint) => {
      set.run(kind, host, fingerprint, now().toISOString())
    },
    forget: (host) => {
      forget.run(kind, host)
    },
  }
}
