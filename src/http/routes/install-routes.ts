import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { startInstallJob, type InstallAdmission, type JobRunner } from '../../jobs/index.js'
import type { InstallDeps } from '../../provision/install/deps.js'
import type { VmProtection } from '../access/protected-vms.js'
import { actorOf } from '../access/request-actor.js'
import { sendError } from '../errors/error-handler.js'
import { streamJob } from '../job-stream.js'
import { answerDryRun } from './install-dry-run.js'
import { lastEventId, readIdempotencyKey } from './job-routes.js'
import {
  dropUnsetFields,
  InstallBody,
  normalizePublicKeys,
  refuseSystemAccount,
} from '../schemas/install.js'

export interface InstallRoutesOptions {
  install: InstallDeps
  jobs: JobRunner
  /** refuses installs while the store cannot write or DATA_DIR is low on space (503) */
  admission: InstallAdmission
  /** protected VMIDs are never installed over nor auto-assigned */
  protection?: VmProtection
  heartbeatMs: number
}

/**
 * `POST /api/vm/install`: validated before the stream (400 names the field), then streamed. With
 * an `Idempotency-Key`, a repeat of the same request joins the first one's job (resuming after
 * `Last-Event-ID` if sent); the same key with another body gets 409. Go clients' zero values
 * (`"cpu":0`, `"name":""`) count as not given; unknown fields are dropped before the body is
 * read or fingerprinted.
 */
export const installRoutes: FastifyPluginAsyncTypebox<InstallRoutesOptions> = async (
  app,
  options,
) => {
  app.post(
    '/vm/install',
    {
      config: { replyAs: 'json' },
      schema: { body: InstallBody },
      preValidation: async (request) => {
        dropUnsetFields(request.body)
      },
    },
    async (request, reply) => {
      const { protection } = options
      const idempotency = readIdempotencyKey(request)
      if (idempotency.problem !== undefined) {
        sendError(request, reply, 'INVALID_INPUT', idempotency.problem)
        return reply
      }
      refuseSystemAccount(request.body.user)
      const { id } = request.body
      if (id !== undefined && protection?.isProtected(id) === true) {
        sendError(request, reply, 'VM_PROTECTED', `id: VM ${id} is protected`)
        return reply
      }
      const pubkey = normalizePublicKeys(request.body.pubkey)
      const body = { ...request.body, ...(pubkey === undefined ? {} : { pubkey }) }
      // a plan, not an install: JSON, and nothing reserved, created or admitted
      if (body.dry_run === true) return answerDryRun(request, body, reply, options.install)
      const joining =
        idempotency.key !== undefined &&
        options.jobs.findByIdempotencyKey(idempotency.key) !== undefined
      if (!joining) options.admission.check()
      const started = await startInstallJob({
        jobs: options.jobs,
        install: options.install,
        request: body,
        idempotencyKey: idempotency.key,
        owner: actorOf(request),
        ...(protection === undefined
          ? {}
          : { isProtected: (vmid) => protection.isProtected(vmid) }),
      })
      await streamJob(request, reply, options.jobs, started.job, {
        heartbeatMs: options.heartbeatMs,
        afterSeq: started.joined ? (lastEventId(request) ?? 0) : 0,
        joining: started.joined,
        // a request joining through the same Idempotency-Key is another client: no password
        starter: !started.joined,
      })
    },
  )
}
