import type { StepEventPayload } from '../../http/schemas/vm.js'
import { readFields, type JsonFields } from './read-json.js'

/** One event of a job stream, the seed's SSE payload, with the SSE `id` it came with. */
export type JobEvent = StepEventPayload & { id: string | undefined }

const statuses = new Set(['processing', 'success', 'error'])

/** Parses one `data:` line of a job stream. */
export function parseJobEvent(data: string, id: string | undefined): JobEvent {
  const fields = readFields(JSON.parse(data), 'stream event')
  const status = fields.string('status')
  if (!isStatus(status)) throw new TypeError(`stream event status "${status}" is unknown`)
  const vmId = fields.optionalNumber('vm_id')
  const ip = fields.optionalString('ip')
  const jobId = fields.optionalString('job_id')
  const stage = fields.optionalNumber('stage')
  const stages = fields.optionalNumber('stages')
  const bytes = fields.optionalNumber('bytes')
  const total = fields.optionalNumber('total')
  const result = fields.has('result') ? readResult(fields.object('result')) : undefined
  return {
    id,
    step: fields.string('step'),
    status,
    message: fields.string('message'),
    ...(vmId === undefined ? {} : { vm_id: vmId }),
    ...(ip === undefined ? {} : { ip }),
    ...(jobId === undefined ? {} : { job_id: jobId }),
    ...(stage === undefined ? {} : { stage }),
    ...(stages === undefined ? {} : { stages }),
    ...(bytes === undefined ? {} : { bytes }),
    ...(total === undefined ? {} : { total }),
    ...(result === undefined ? {} : { result }),
  }
}

/** The `result` of an install's last event: where the VM is and how to log in. */
export type InstallResult = NonNullable<StepEventPayload['result']>

function readResult(fields: JsonFields): InstallResult {
  return {
    vmid: fields.number('vmid'),
    ip: fields.string('ip'),
    node: fields.string('node'),
    user: fields.string('user'),
    ssh: fields.string('ssh'),
  }
}

function isStatus(value: string): value is StepEventPayload['status'] {
  return statuses.has(value)
}
