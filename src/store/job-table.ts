import type { Database } from 'better-sqlite3'

/** One job as stored; `type` and `state` are the jobs module's words, kept as text here. */
export interface JobRow {
  id: string
  type: string
  state: string
  vmid?: number
  /** a short description of what was asked, such as `debian 12 web-01`; never a secret */
  summary?: string
  error?: string
  createdAt: string
  startedAt?: string
  endedAt?: string
  idempotencyKey?: string
  /** a salted hash of the request that carried `idempotencyKey` */
  requestFingerprint?: string
}

/** Which jobs {@link JobTable.list} returns; every field narrows, none means all. */
export interface JobRowFilter {
  state?: string | undefined
  type?: string | undefined
  vmid?: number | undefined
  /** at most this many, newest first */
  limit: number
}

export interface JobTable {
  insert(row: JobRow): void
  get(id: string): JobRow | undefined
  list(filter: JobRowFilter): JobRow[]
  /** the job started with this `Idempotency-Key`, if any */
  findByIdempotencyKey(key: string): JobRow | undefined
  /** jobs in any of `states` (e.g. the ones a crash left running) */
  inStates(states: readonly string[]): JobRow[]
  setState(id: string, state: string, at: { startedAt?: string; endedAt?: string }): void
  setVmid(id: string, vmid: number): void
  finish(id: string, state: string, endedAt: string, error: string | undefined): void
}

interface RawJob {
  id: string
  type: string
  state: string
  vmid: number | null
  summary: string | null
  error: string | null
  created_at: string
  started_at: string | null
  ended_at: string | null
  idempotency_key: string | null
  request_fingerprint: string | null
}

const columns =
  'id, type, state, vmid, summary, error, created_at, started_at, ended_at, idempotency_key, request_fingerprint'

/** The `jobs` table: statements prepared once, rows mapped to camelCase. */
export function createJobTable(db: Database): JobTable {
  const insert = db.prepare<[RawJob]>(
    `INSERT INTO jobs (${columns}) VALUES (@id, @type, @state, @vmid, @summary, @error,
      @created_at, @started_at, @ended_at, @idempotency_key, @request_fingerprint)`,
  )
  const get = db.prepare<[string], RawJob>(`SELECT ${columns} FROM jobs WHERE id = ?`)
  const byKey = db.prepare<[string], RawJob>(
    `SELECT ${columns} FROM jobs WHERE idempotency_key = ?`,
  )
  const list = db.prepare<
    { state: string | null; type: string | null; vmid: number | null; limit: number },
    RawJob
  >(
    `SELECT ${columns} FROM jobs
      WHERE (@state IS NULL OR state = @state)
        AND (@type IS NULL OR type = @type)
        AND (@vmid IS NULL OR vmid = @vmid)
      ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
  )
  const inStates = db.prepare<[string], RawJob>(
    `SELECT ${columns} FROM jobs WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_at`,
  )
  const setState = db.prepare<{
    id: string
    state: string
    started_at: string | null
    ended_at: string | null
  }>(
    `UPDATE jobs SET state = @state, started_at = coalesce(@started_at, started_at),
      ended_at = coalesce(@ended_at, ended_at) WHERE id = @id`,
  )
  const setVmid = db.prepare<[number, string]>('UPDATE jobs SET vmid = ? WHERE id = ?')
  const finish = db.prepare<[string, string, string | null, string]>(
    'UPDATE jobs SET state = ?, ended_at = ?, error = ? WHERE id = ?',
  )

  return {
    insert: (row) => insert.run(toRaw(row)),
    get: (id) => fromRaw(get.get(id)),
    list: (filter) =>
      list
        .all({
          state: filter.state ?? null,
          type: filter.type ?? null,
          vmid: filter.vmid ?? null,
          limit: filter.limit,
        })
        .map(toRow),
    findByIdempotencyKey: (key) => fromRaw(byKey.get(key)),
    inStates: (states) => inStates.all(JSON.stringify(states)).map(toRow),
    setState: (id, state, at) => {
      setState.run({
        id,
        state,
        started_at: at.startedAt ?? null,
        ended_at: at.endedAt ?? null,
      })
    },
    setVmid: (id, vmid) => {
      setVmid.run(vmid, id)
    },
    finish: (id, state, endedAt, error) => {
      finish.run(state, endedAt, error ?? null, id)
    },
  }
}

function fromRaw(raw: RawJob | undefined): JobRow | undefined {
  return raw === undefined ? undefined : toRow(raw)
}

function toRow(raw: RawJob): JobRow {
  return {
    id: raw.id,
    type: raw.type,
    state: raw.state,
    ...(raw.vmid === null ? {} : { vmid: raw.vmid }),
    ...(raw.summary === null ? {} : { summary: raw.summary }),
    ...(raw.error === null ? {} : { error: raw.error }),
    createdAt: raw.created_at,
    ...(raw.started_at === null ? {} : { startedAt: raw.started_at }),
    ...(raw.ended_at === null ? {} : { endedAt: raw.ended_at }),
    ...(raw.idempotency_key === null ? {} : { idempotencyKey: raw.idempotency_key }),
    ...(raw.request_fingerprint === null ? {} : { requestFingerprint: raw.request_fingerprint }),
  }
}

function toRaw(row: JobRow): RawJob {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    vmid: row.vmid ?? null,
    summary: row.summary ?? null,
    error: row.error ?? null,
    created_at: row.createdAt,
    started_at: row.startedAt ?? null,
    ended_at: row.endedAt ?? null,
    idempotency_key: row.idempotencyKey ?? null,
    request_fingerprint: row.requestFingerprint ?? null,
  }
}
