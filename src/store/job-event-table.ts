import type { Database } from 'better-sqlite3'

/** One stored event of a job; `seq` counts from 1 within its job. */
export interface JobEventRow {
  seq: number
  at: string
  step: string
  status: string
  message: string
  vmid?: number
  ip?: string
  /** structured fields of the event (bytes, total, result) as a JSON object */
  data?: string
}

export interface JobEventTable {
  append(jobId: string, event: JobEventRow): void
  /** the job's events with `seq` above `afterSeq`, in order */
  after(jobId: string, afterSeq: number): JobEventRow[]
  /** the highest `seq` of the job, 0 when it has none */
  lastSeq(jobId: string): number
}

interface RawEvent {
  seq: number
  at: string
  step: string
  status: string
  message: string
  vmid: number | null
  ip: string | null
  data: string | null
}

/** The `job_events` table, append-only. */
export function createJobEventTable(db: Database): JobEventTable {
  const append = db.prepare<[{ job_id: string } & RawEvent]>(
    `INSERT INTO job_events (job_id, seq, at, step, status, message, vmid, ip, data)
      VALUES (@job_id, @seq, @at, @step, @status, @message, @vmid, @ip, @data)`,
  )
  const after = db.prepare<[string, number], RawEvent>(
    `SELECT seq, at, step, status, message, vmid, ip, data FROM job_events
      WHERE job_id = ? AND seq > ? ORDER BY seq`,
  )
  const lastSeq = db
    .prepare<[string], number>('SELECT coalesce(max(seq), 0) FROM job_events WHERE job_id = ?')
    .pluck()
  return {
    append(jobId, event) {
      append.run({
        job_id: jobId,
        seq: event.seq,
        at: event.at,
        step: event.step,
        status: event.status,
        message: event.message,
        vmid: event.vmid ?? null,
        ip: event.ip ?? null,
        data: event.data ?? null,
      })
    },
    after: (jobId, afterSeq) =>
      after.all(jobId, afterSeq).map((raw) => ({
        seq: raw.seq,
        at: raw.at,
        step: raw.step,
        status: raw.status,
        message: raw.message,
        ...(raw.vmid === null ? {} : { vmid: raw.vmid }),
        ...(raw.ip === null ? {} : { ip: raw.ip }),
        ...(raw.data === null ? {} : { data: raw.data }),
      })),
    lastSeq: (jobId) => lastSeq.get(jobId) ?? 0,
  }
}
