import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { JobError, startInstallJob, type JobRunner } from '../../jobs/index.js'
import type { InstallDeps } from '../../provision/install/deps.js'
import type { VmProtection } from '../access/protected-vms.js'
import { sendError } from '../errors/error-handler.js'
import { streamJob } from '../job-stream.js'
import { lastEventId, readIdempotencyKey } from './job-routes.js'
import { InstallBody } from '../schemas/install.js'
import { answerDryRun } from './install-dry-run.js'

export interface InstallRoutesOptions {
  install: InstallDeps
  jobs: JobRunner
  /** protected VMIDs are never installed over nor auto-assigned */
  protection?: VmProtection
  heartbeatMs: number
}

/**
 * `POST /api/vm/install`: validated before the stream (400 names the field), then streamed. With
 * an `Idempotency-Key`, a repeat of the same request joins the first one's job (resuming after
 * `Last-Event-ID` if sent); the same key with another body gets 409.
 */
export const installRoutes: FastifyPluginAsyncTypebox<InstallRoutesOptions> = async (
  app,
  options,
) => {
  app.post(
    '/vm/install',
    { config: { replyAs: 'json' }, schema: { body: InstallBody } },
    async (request, reply) => {
      const { protection } = options
      const idempotency = readIdempotencyKey(request)
      if (idempotency.problem !== undefined) {
        sendError(request, reply, 400, 'INVALID_INPUT', idempotency.problem)
        return reply
      }
      const { id } = request.body
      if (id !== undefined && protection?.isProtected(id) === true) {
        sendError(request, reply, 403, 'VM_PROTECTED', `id: VM ${id} is protected`)
        return reply
      }
      if (request.body.dry_run === true)
        return answerDryRun(request, request.body, reply, options.install)
      let started: Awaited<ReturnType<typeof startInstallJob>>
      try {
        started = await startInstallJob({
          jobs: options.jobs,
          install: options.install,
          request: request.body,
          idempotencyKey: idempotency.key,
          ...(protection === undefined
            ? {}
            : { isProtected: (vmid) => protection.isProtected(vmid) }),
        })
      } catch (error) {
        if (!(error instanceof JobError)) throw error
        sendError(request, reply, 409, error.code, error.message)
        return reply
      }
      await streamJob(request, reply, options.jobs, started.job, {
        heartbeatMs: options.heartbeatMs,
        afterSeq: started.joined ? (lastEventId(request) ?? 0) : 0,
      })
    },
  )
}
