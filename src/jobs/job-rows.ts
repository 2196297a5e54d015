import type { JobEventRow, JobRow } from '../store/index.js'
import type { InstallResult, StepEvent, StepStatus } from '../provision/progress.js'
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
    ...readData(row.data),
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
    ...writeData(event),
  }
}

/** The structured fields of an event as the `data` column keeps them (JSON), if it has any. */
function writeData(event: StepEvent): { data?: string } {
  const data = {
    ...(event.bytes === undefined ? {} : { bytes: event.bytes }),
    ...(event.total === undefined ? {} : { total: event.total }),
    ...(event.result === undefined ? {} : { result: event.result }),
  }
  return Object.keys(data).length === 0 ? {} : { data: JSON.stringify(data) }
}

/** The `data` column read back; what it cannot read is left out, never thrown. */
function readData(text: string | undefined): Pick<StepEvent, 'bytes' | 'total' | 'result'> {
  if (text === undefined) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return {}
  }
  if (typeof value !== 'object' || value === null) return {}
  const bytes = 'bytes' in value && typeof value.bytes === 'number' ? value.bytes : undefined
  const total = 'total' in value && typeof value.total === 'number' ? value.total : undefined
  const result = 'result' in value ? readResult(value.result) : undefined
  return {
    ...(bytes === undefined ? {} : { bytes }),
    ...(total === undefined ? {} : { total }),
    ...(result === undefined ? {} : { result }),
  }
}

function readResult(value: unknown): InstallResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const field = (key: string): unknown => (key in value ? Reflect.get(value, key) : undefined)
  const vmid = field('vmid')
  const ip = field('ip')
  const node = field('node')
  const user = field('user')
  const ssh = field('ssh')
  if (typeof vmid !== 'number' || typeof ip !== 'string' || typeof node !== 'string')
    return undefined
  if (typeof user !== 'string' || typeof ssh !== 'string') return undefined
  const network = field('network')
  const addresses = field('addresses')
  const list = Array.isArray(addresses)
    ? addresses.filter((entry): entry is string => typeof entry === 'string')
    : undefined
  return {
    vmid,
    ip,
    node,
    user,
    ssh,
    ...(typeof network === 'string' ? { network } : {}),
    ...(list === undefined ? {} : { addresses: list }),
  }
}
