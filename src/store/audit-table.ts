import type { Database } from 'better-sqlite3'

/** One audited request: who, from where, what, and how it ended. Never a body or a token. */
export interface AuditEntry {
  /** the API token's name, or `anonymous` when no token was needed or given */
  actor: string
  /** the client address (behind TRUST_PROXY, the forwarded one) */
  address: string
  /** method and path, e.g. `POST /api/vm/101/destroy`; stored cut to {@link auditActionLength} */
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

/** Refusals of one address for one reason, counted instead of stored one row each. */
export interface AuditRefusalCount {
  address: string
  reason: string
  count: number
  firstAt: string
  lastAt: string
  /** the last refused method and path, cut short */
  sample: string
}

/** How long the audit log keeps what it holds. */
export interface AuditRetention {
  /** entries older than this are removed */
  days: number
  /** at most this many entries (and as many refusal counters) are kept */
  maxRows: number
}

export interface AuditTable {
  record(entry: AuditEntry): void
  /** Counts `count` (default 1) refusals of `address` for `reason`; `action` is kept, cut short. */
  countRefusal(refusal: { address: string; reason: string; action: string; count?: number }): void
  /** the newest `limit` entries, newest first */
  recent(limit: number): AuditRecord[]
  /** refusal counters, most recent first */
  refusals(limit: number): AuditRefusalCount[]
  /** Removes what the retention no longer keeps; runs on its own every few hundred writes. */
  prune(): void
}

/** Paths are stored cut to this many characters: a refused caller cannot fill the disk. */
export const auditActionLength = 120

/** Writes between two automatic prunes. */
const pruneEvery = 200

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

interface RawRefusal {
  address: string
  reason: string
  count: number
  first_at: string
  last_at: string
  sample: string
}

export function createAuditTable(
  db: Database,
  now: () => Date,
  retention: AuditRetention = { days: 90, maxRows: 100_000 },
): AuditTable {
  const insert = db.prepare<[Omit<RawAudit, 'id'>]>(
    `INSERT INTO audit_log (at, actor, address, action, vmid, status, result)
      VALUES (@at, @actor, @address, @action, @vmid, @status, @result)`,
  )
  const count = db.prepare<
    [{ address: string; reason: string; at: string; sample: string; count: number }]
  >(
    `INSERT INTO audit_refusals (address, reason, count, first_at, last_at, sample)
      VALUES (@address, @reason, @count, @at, @at, @sample)
      ON CONFLICT (address, reason) DO UPDATE SET count = count + excluded.count,
        last_at = excluded.last_at, sample = excluded.sample`,
  )
  const recent = db.prepare<[number], RawAudit>(
    'SELECT id, at, actor, address, action, vmid, status, result FROM audit_log ORDER BY id DESC LIMIT ?',
  )
  const refusals = db.prepare<[number], RawRefusal>(
    'SELECT address, reason, count, first_at, last_at, sample FROM audit_refusals ORDER BY last_at DESC LIMIT ?',
  )
  const pruneLog = db.prepare<{ cutoff: string; max: number }>(
    `DELETE FROM audit_log WHERE at < @cutoff
      OR id <= (SELECT coalesce(max(id), 0) FROM audit_log) - @max`,
  )
  const pruneRefusals = db.prepare<{ cutoff: string; max: number }>(
    `DELETE FROM audit_refusals WHERE last_at < @cutoff OR (address, reason) IN
      (SELECT address, reason FROM audit_refusals ORDER BY last_at DESC LIMIT -1 OFFSET @max)`,
  )
  let writes = 0
  const prune = (): void => {
    const cutoff = new Date(now().getTime() - retention.days * 86_400_000).toISOString()
    pruneLog.run({ cutoff, max: retention.maxRows })
    pruneRefusals.run({ cutoff, max: retention.maxRows })
  }
  const wrote = (): void => {
    writes += 1
    if (writes % pruneEvery === 0) prune()
  }
  return {
    record(entry) {
      insert.run({
        at: now().toISOString(),
        actor: entry.actor.slice(0, 64),
        address: entry.address.slice(0, 64),
        action: cut(entry.action),
        vmid: entry.vmid ?? null,
        status: entry.status,
        result: entry.result.slice(0, 64),
      })
      wrote()
    },
    countRefusal(refusal) {
      count.run({
        address: refusal.address.slice(0, 64),
        reason: refusal.reason.slice(0, 64),
        at: now().toISOString(),
        sample: cut(refusal.action),
        count: refusal.count ?? 1,
      })
      wrote()
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
    refusals: (limit) =>
      refusals.all(limit).map((raw) => ({
        address: raw.address,
        reason: raw.reason,
        count: raw.count,
        firstAt: raw.first_at,
        lastAt: raw.last_at,
        sample: raw.sample,
      })),
    prune,
  }
}

function cut(action: string): string {
  return action.length > auditActionLength ? `${action.slice(0, auditActionLength - 1)}…` : action
}
