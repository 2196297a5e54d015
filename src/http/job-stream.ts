import type { FastifyReply, FastifyRequest } from 'fastify'
import type { JobEventRecord, JobRecord, JobRunner } from '../jobs/index.js'
import type { FollowerLimits } from './follower-limits.js'
import type { StepEventPayload } from './schemas/vm.js'
import { openSseStream } from './sse/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** how many streams may follow jobs (`MAX_FOLLOWERS_PER_JOB`, `MAX_FOLLOWERS`) */
    followerLimits: FollowerLimits
  }
}

export interface JobStreamOptions {
  heartbeatMs: number
  /** replay events after this sequence number (Last-Event-ID) */
  afterSeq?: number
  /** true when the stream joins a job another request started: it counts against the caps */
  joining?: boolean
}

/**
 * Streams a job's events as SSE until it ends, then the close frame. The stream only watches:
 * when the client goes away the job carries on.
 */
export async function streamJob(
  request: FastifyRequest,
  reply: FastifyReply,
  jobs: JobRunner,
  job: JobRecord,
  options: JobStreamOptions,
): Promise<void> {
  // before the stream opens, so a refusal is an ordinary 429/503 answer
  const leave = request.server.followerLimits.enter(job.id, { joining: options.joining ?? false })
  const gone = new AbortController()
  reply.raw.on('close', () => {
    gone.abort()
    leave()
  })
  reply.hijack()
  const sse = openSseStream(reply.raw, {
    signal: gone.signal,
    heartbeatMs: options.heartbeatMs,
    headers: { 'x-job-id': job.id },
  })
  const afterSeq = options.afterSeq ?? 0
  try {
    for await (const record of jobs.follow(job.id, afterSeq, gone.signal)) {
      sse.send({ id: record.seq, data: present(record, job.id) })
    }
    sse.close()
  } catch (error) {
    request.log.error({ err: error, jobId: job.id }, 'job stream failed')
    sse.close()
  } finally {
    leave()
  }
}

/** The wire form of one event (the seed's snake_case fields); the first names its job. */
export function present(record: JobEventRecord, jobId: string): StepEventPayload {
  const { event } = record
  return {
    step: event.step,
    status: event.status,
    message: event.message,
    ...(event.vmId === undefined ? {} : { vm_id: event.vmId }),
    ...(event.ip === undefined ? {} : { ip: event.ip }),
    ...(record.seq === 1 ? { job_id: jobId } : {}),
  }
}
