import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  isFinished,
  jobStates,
  jobTypes,
  type JobRecord,
  type JobRunner,
} from '../../jobs/index.js'
import { sendError } from '../errors/error-handler.js'
import { streamJob } from '../job-stream.js'

export interface JobRoutesOptions {
  jobs: JobRunner
  heartbeatMs: number
}

const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((value) => Type.Literal(value)))

/** One job on the wire (snake_case, as the seed's fields). */
export const JobPayloadSchema = Type.Object({
  id: Type.String(),
  type: literals(jobTypes),
  state: literals(jobStates),
  vmid: Type.Optional(Type.Integer()),
  summary: Type.Optional(Type.String()),
  created_at: Type.String(),
  started_at: Type.Optional(Type.String()),
  ended_at: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
  idempotency_key: Type.Optional(Type.String()),
})
export type JobPayload = Static<typeof JobPayloadSchema>

const JobListQuery = Type.Object({
  state: Type.Optional(literals(jobStates)),
  type: Type.Optional(literals(jobTypes)),
  vmid: Type.Optional(Type.Integer({ minimum: 100, maximum: 999_999_999 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
})
const JobIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
const EventsQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'as Last-Event-ID, for curl' })),
})
const JobReply = Type.Object({ success: Type.Boolean(), job: JobPayloadSchema })
const JobListReply = Type.Object({ success: Type.Boolean(), jobs: Type.Array(JobPayloadSchema) })

const json = { replyAs: 'json' as const }

/**
 * `/api/jobs`: list and read jobs, replay and follow a job's events (SSE, resuming after
 * `Last-Event-ID`), cancel a job. A job's stream replays what is stored, follows live until the
 * job ends, and closes; a client that drops only stops watching.
 */
export const jobRoutes: FastifyPluginAsyncTypebox<JobRoutesOptions> = async (app, options) => {
  const { jobs } = options

  app.get(
    '/jobs',
    { config: json, schema: { querystring: JobListQuery, response: { 200: JobListReply } } },
    async (request) => {
      const { state, type, vmid, limit } = request.query
      return { success: true, jobs: jobs.list({ state, type, vmid, limit }).map(presentJob) }
    },
  )

  app.get(
    '/jobs/:id',
    { config: json, schema: { params: JobIdParams, response: { 200: JobReply } } },
    async (request, reply) => {
      const job = jobs.get(request.params.id)
      if (job === undefined) return notFound(request, reply, request.params.id)
      return { success: true, job: presentJob(job) }
    },
  )

  app.get(
    '/jobs/:id/events',
    { config: json, schema: { params: JobIdParams, querystring: EventsQuery } },
    async (request, reply) => {
      const job = jobs.get(request.params.id)
      if (job === undefined) return notFound(request, reply, request.params.id)
      const afterSeq = lastEventId(request) ?? request.query.after ?? 0
      await streamJob(request, reply, jobs, job, {
        heartbeatMs: options.heartbeatMs,
        afterSeq,
        joining: true,
      })
    },
  )

  app.post(
    '/jobs/:id/cancel',
    { config: json, schema: { params: JobIdParams, response: { 200: JobReply } } },
    async (request, reply) => {
      const { id } = request.params
      const job = jobs.get(id)
      if (job === undefined) return notFound(request, reply, id)
      if (isFinished(job.state) || !jobs.cancel(id)) {
        sendError(request, reply, 'JOB_FINISHED', `job ${id} already ended (${job.state})`)
        return reply
      }
      return { success: true, job: presentJob(jobs.get(id) ?? job) }
    },
  )
}

function notFound(
  request: FastifyRequest,
  reply: Parameters<typeof sendError>[1],
  id: string,
): Parameters<typeof sendError>[1] {
  sendError(request, reply, 'JOB_NOT_FOUND', `no job ${id}`)
  return reply
}

/**
 * The `Last-Event-ID` a reconnecting client sends: the `id:` of the last event it saw. Anything
 * that is not a whole number is ignored, as browsers ignore ids they cannot use.
 */
export function lastEventId(request: FastifyRequest): number | undefined {
  const header = request.headers['last-event-id']
  const text = Array.isArray(header) ? header[0] : header
  if (text === undefined || !/^\d{1,15}$/.test(text.trim())) return undefined
  return Number(text.trim())
}

/** A job in the wire's snake_case. */
export function presentJob(job: JobRecord): JobPayload {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    ...(job.vmid === undefined ? {} : { vmid: job.vmid }),
    ...(job.summary === undefined ? {} : { summary: job.summary }),
    created_at: job.createdAt,
    ...(job.startedAt === undefined ? {} : { started_at: job.startedAt }),
    ...(job.endedAt === undefined ? {} : { ended_at: job.endedAt }),
    ...(job.error === undefined ? {} : { error: job.error }),
    ...(job.idempotencyKey === undefined ? {} : { idempotency_key: job.idempotencyKey }),
  }
}

/** What {@link readIdempotencyKey} found: no header, a usable key, or why the header is bad. */
export type IdempotencyKeyHeader =
  { key: string | undefined; problem?: undefined } | { key?: undefined; problem: string }

/** The `Idempotency-Key` request header: 1 to 255 visible ASCII characters. */
export function readIdempotencyKey(request: FastifyRequest): IdempotencyKeyHeader {
  const header = request.headers['idempotency-key']
  const value = Array.isArray(header) ? header.join(',') : header
  if (value === undefined) return { key: undefined }
  if (/^[\x21-\x7e]{1,255}$/.test(value)) return { key: value }
  return { problem: 'Idempotency-Key: must be 1 to 255 visible ASCII characters' }
}
