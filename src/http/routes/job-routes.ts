import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import {
  isFinished,
  jobStates,
  jobTypes,
  type CredentialVault,
  type JobRecord,
  type JobRunner,
} from '../../jobs/index.js'
import { actorOf } from '../access/request-actor.js'
import { sendError } from '../errors/error-handler.js'
import { streamJob } from '../job-stream.js'
import { createStageEstimates } from './stage-estimates.js'

export interface JobRoutesOptions {
  jobs: JobRunner
  heartbeatMs: number
  /** generated passwords, readable once by whoever started the job */
  credentials: CredentialVault
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
})
export type JobPayload = Static<typeof JobPayloadSchema>

const JobListQuery = Type.Object({
  state: Type.Optional(literals(jobStates)),
  type: Type.Optional(literals(jobTypes)),
  vmid: Type.Optional(Type.Integer({ minimum: 100, maximum: 999_999_999 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
})
const JobIdParams = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'a job id, or a unique prefix of one (at least 4 characters)',
  }),
})
const CredentialsReply = Type.Object({
  success: Type.Boolean(),
  credentials: Type.Object({
    password: Type.String(),
    vmid: Type.Optional(Type.Integer()),
    ip: Type.Optional(Type.String()),
    user: Type.Optional(Type.String()),
    ssh: Type.Optional(Type.String()),
  }),
})
const EstimatesReply = Type.Object({
  success: Type.Boolean(),
  estimates: Type.Record(
    Type.String(),
    Type.Object({
      jobs: Type.Integer({ description: 'finished jobs the figures come from' }),
      stages: Type.Array(Type.Object({ step: Type.String(), seconds: Type.Number() })),
    }),
  ),
})
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

  const estimates = createStageEstimates(jobs)
  app.get(
    '/jobs/estimates',
    { config: json, schema: { response: { 200: EstimatesReply } } },
    async () => ({ success: true, estimates: await estimates.all() }),
  )

  /** The job an id or unique id prefix names; answers 404 (none) or 400 (several) itself. */
  const findJob = (
    request: FastifyRequest,
    reply: Parameters<typeof sendError>[1],
    id: string,
  ): JobRecord | undefined => {
    const found = resolveJob(jobs, id)
    if (found.kind === 'one') return found.job
    if (found.kind === 'none') notFound(request, reply, id)
    else
      sendError(
        request,
        reply,
        'JOB_AMBIGUOUS',
        `job id "${id}" is the start of ${found.ids.length} jobs (${found.ids.slice(0, 5).join(', ')}); give more of it`,
      )
    return undefined
  }

  app.get(
    '/jobs/:id',
    { config: json, schema: { params: JobIdParams, response: { 200: JobReply } } },
    async (request, reply) => {
      const job = findJob(request, reply, request.params.id)
      if (job === undefined) return reply
      return { success: true, job: presentJob(job) }
    },
  )

  app.get(
    '/jobs/:id/credentials',
    { config: json, schema: { params: JobIdParams, response: { 200: CredentialsReply } } },
    async (request, reply) => {
      const job = findJob(request, reply, request.params.id)
      if (job === undefined) return reply
      // never cached by a browser or a proxy: the answer holds a password
      void reply.header('cache-control', 'no-store')
      const found = options.credentials.take(job.id, actorOf(request))
      const refuse = (code: string, message: string): typeof reply => {
        sendError(request, reply, code, message)
        return reply
      }
      switch (found.kind) {
        case 'found':
          return { success: true, credentials: found.credentials }
        case 'forbidden':
          return refuse(
            'CREDENTIALS_NOT_YOURS',
            `job ${job.id} was started with another API token; only that token can read its password`,
          )
        case 'taken':
          return refuse(
            'CREDENTIALS_TAKEN',
            `the password of job ${job.id} was already retrieved (${new Date(found.at).toISOString()}); it is given only once`,
          )
        case 'expired':
          return refuse(
            'CREDENTIALS_EXPIRED',
            `the password of job ${job.id} is gone: it can be retrieved only within 24 hours`,
          )
        case 'none':
          if (!isFinished(job.state))
            return refuse(
              'CREDENTIALS_NOT_READY',
              `job ${job.id} is still ${job.state}; a generated password is given once the install has finished`,
            )
          return refuse(
            'CREDENTIALS_NONE',
            `job ${job.id} holds no generated password (a key or password was given, the install did not finish, or the service restarted since)`,
          )
      }
    },
  )

  app.get(
    '/jobs/:id/events',
    { config: json, schema: { params: JobIdParams, querystring: EventsQuery } },
    async (request, reply) => {
      const job = findJob(request, reply, request.params.id)
      if (job === undefined) return reply
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
      const job = findJob(request, reply, request.params.id)
      if (job === undefined) return reply
      const { id } = job
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
  }
}

/** Shortest prefix accepted, so a typo of one or two characters never picks a random job. */
const minimumPrefix = 4

/**
 * A job by its full id or, as git does with commits, by a unique prefix of it. An
 * `Idempotency-Key` is never a way in: it is a secret of the client that sent it.
 */
export function resolveJob(
  jobs: Pick<JobRunner, 'get' | 'list'>,
  id: string,
): { kind: 'one'; job: JobRecord } | { kind: 'none' } | { kind: 'several'; ids: string[] } {
  const exact = jobs.get(id)
  if (exact !== undefined) return { kind: 'one', job: exact }
  const prefix = id.toLowerCase()
  if (prefix.length < minimumPrefix || !/^[0-9a-f-]+$/.test(prefix)) return { kind: 'none' }
  const matches = jobs.list().filter((job) => job.id.startsWith(prefix))
  const [first] = matches
  if (first === undefined) return { kind: 'none' }
  if (matches.length === 1) return { kind: 'one', job: first }
  return { kind: 'several', ids: matches.map((job) => job.id) }
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
