import type { ApiClient } from '../api/client.js'
import { readFields, type JsonFields } from '../api/read-json.js'

/** A job as `GET /api/jobs` lists it. */
export interface JobSummary {
  id: string
  type: string
  state: string
  vmid: number | undefined
  summary: string | undefined
  createdAt: string | undefined
  endedAt: string | undefined
  error: string | undefined
}

export interface JobFilter {
  state?: string | undefined
  type?: string | undefined
  vmid?: number | undefined
}

/** `GET /api/jobs` with its filters. */
export async function fetchJobs(
  client: ApiClient,
  filter: JobFilter,
  signal: AbortSignal,
): Promise<JobSummary[]> {
  const query = new URLSearchParams()
  if (filter.state !== undefined) query.set('state', filter.state)
  if (filter.type !== undefined) query.set('type', filter.type)
  if (filter.vmid !== undefined) query.set('vmid', String(filter.vmid))
  const suffix = query.size === 0 ? '' : `?${query.toString()}`
  const reply: unknown = await client.getJson(`/api/jobs${suffix}`, { signal })
  const list = Array.isArray(reply) ? reply : readFields(reply, 'job list').array('jobs')
  return list.map((entry) => readJob(readFields(entry, 'job')))
}

/** `GET /api/jobs/:id`. */
export async function fetchJob(
  client: ApiClient,
  id: string,
  signal: AbortSignal,
): Promise<JobSummary> {
  const reply = readFields(
    await client.getJson(`/api/jobs/${encodeURIComponent(id)}`, { signal }),
    'job',
  )
  return readJob(reply.has('job') ? reply.object('job') : reply)
}

/** A job in the API's own snake_case, for `--json`. */
export function jobJson(job: JobSummary): Record<string, string | number> {
  const fields: [string, string | number | undefined][] = [
    ['id', job.id],
    ['type', job.type],
    ['state', job.state],
    ['vmid', job.vmid],
    ['summary', job.summary],
    ['created_at', job.createdAt],
    ['ended_at', job.endedAt],
    ['error', job.error],
  ]
  return Object.fromEntries(
    fields.filter((entry): entry is [string, string | number] => entry[1] !== undefined),
  )
}

/** Reads a job in the wire's snake_case (camelCase accepted too). */
export function readJob(job: JsonFields): JobSummary {
  const either = (snake: string, camel: string): string | undefined =>
    job.optionalString(snake) ?? job.optionalString(camel)
  return {
    id: job.string('id'),
    type: job.string('type'),
    state: job.string('state'),
    vmid: job.optionalNumber('vmid'),
    summary: job.optionalString('summary'),
    createdAt: either('created_at', 'createdAt'),
    endedAt: either('ended_at', 'endedAt'),
    error: job.optionalString('error'),
  }
}
