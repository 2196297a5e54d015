import type { Database } from 'better-sqlite3'

/** One audited request: who, from where, what, and how it ended. Never a body or a token. */
export interface AuditEntry {
  /** the API token's name, or `anonymous` when no token was needed or given */
  actor: string
  /** the client address (behind TRUST_PROXY, the forwarded one) */
  address: string
  /** method and path, e.g. `POST /api/vm/101/destroy` */
  action: string
  vmid?: number | undefined
  /** the HTTP status answered */
  status: number
  /** `ok`, or the error code */
  result: string
}

export interface AuditRecord extends AuditEntry {
  id: number
  at: string
}

export interface AuditTable {
  record(entry: AuditEntry): void
  /** the newest `limit` entries, newest first */
  recent(limit: number): AuditRecord[]
}

interface RawAudit {
  id: number
  at: string
  actor: string
  address: string
  action: string
  vmid: number | null
  status: number
  result: string
}

export function createAuditTable(db: Database, now: () => Date): AuditTable {
  const insert = db.prepare<[Omit<RawAudit, 'id'>]>(
    `INSERT INTO audit_log (at, actor, address, action, vmid, status, result)
      VALUES (@at, @actor, @address, @action, @vmid, @status, @result)`,
  )
  const recent = db.prepare<[number], RawAudit>(
    'SELECT id, at, actor, address, action, vmid, status, result FROM audit_log ORDER BY id DESC LIMIT ?',
  )
  return {
    record(entry) {
      insert.run({
        at: now().toISOString(),
        actor: entry.actor,
        address: entry.address,
        action: entry.action,
        vmid: entry.vmid ?? null,
        status: entry.status,
        result: entry.result,
      })
    },
    recent: (limit) =>
      recent.all(limit).map((raw) => ({
        id: raw.id,
        at: raw.at,
        actor: raw.actor,
        address: raw.address,
        action: raw.action,
        ...(raw.vmid === null ? {} : { vmid: raw.vmid }),
        status: raw.status,
        result: raw.result,
      })),
  }
}
