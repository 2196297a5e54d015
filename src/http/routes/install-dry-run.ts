import type { FastifyReply, FastifyRequest } from 'fastify'
import type { InstallDeps } from '../../provision/install/deps.js'
import { planDryRun } from '../../provision/install/index.js'
import type { InstallRequest } from '../../provision/install/request.js'

/**
 * `POST /api/vm/install` with `"dry_run": true`: the plan as JSON, not a stream. Nothing is
 * reserved, created or started; errors are the install's own (400 naming the field).
 */
export async function answerDryRun(
  request: FastifyRequest,
  body: InstallRequest,
  reply: FastifyReply,
  install: InstallDeps,
): Promise<FastifyReply> {
  const plan = await planDryRun(install, body, request.signal)
  return reply
    .code(200)
    .type('application/json')
    .send({ success: true, dry_run: true, ...plan })
}
