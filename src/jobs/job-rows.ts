import type { JobEventRow, JobRow } from '../store/index.js'
import type { StepEvent, StepStatus } from '../provision/progress.js'
import { JobError } from './errors.js'
import { isJobState, isJobType, type JobEventRecord, type JobRecord } from './job.js'

/** A stored job as the jobs module sees it; a row it cannot read is an error naming the job. */
export function toJobRecord(row: JobRow): JobRecord {
  const { type, state } = row
  if (!isJobType(type) || !isJobState(state)) {
    throw new JobError(
      'JOB_ROW_INVALID',
      `stored job ${row.id} has type "${type}" and state "${state}", which this version does not know`,
    )
  }
  return {
    id: row.id,
    type,
    state,
    ...(row.vmid === undefined ? {} : { vmid: row.vmid }),
    ...(row.summary === undefined ? {} : { summary: row.summary }),
    createdAt: row.createdAt,
    ...(row.startedAt === undefined ? {} : { startedAt: row.startedAt }),
    ...(row.endedAt === undefined ? {} : { endedAt: row.endedAt }),
    ...(row.error === undefined ? {} : { error: row.error }),
    ...(row.idempotencyKey === undefined ? {} : { idempotencyKey: row.idempotencyKey }),
  }
}

const statuses: readonly StepStatus[] = ['processing', 'success', 'error']

/** A stored event as a step event; an unknown status reads as `processing`, never throws. */
export function toEventRecord(row: JobEventRow): JobEventRecord {
  const status = statuses.find((known) => known === row.status) ?? 'processing'
  const event: StepEvent = {
    step: row.step,
    status,
    message: row.message,
    ...(row.vmid === undefined ? {} : { vmId: row.vmid }),
    ...(row.ip === undefined ? {} : { ip: row.ip }),
  }
  return { seq: row.seq, at: row.at, event }
}

/** The row of an event; the `sensitive` flag is not a column: sensitive events come redacted. */
export function toEventRow(seq: number, at: string, event: StepEvent): JobEventRow {
  return {
    seq,
    at,
    step: event.step,
    status: event.status,
    message: event.message,
    ...(event.vmId === undefined ? {} : { vmid: event.vmId }),
    ...(event.ip === undefined ? {} : { ip: event.ip }),
  }
}
