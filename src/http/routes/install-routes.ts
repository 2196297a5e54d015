import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { JobRunner } from '../../jobs/index.js'
import type { InstallDeps } from '../../provision/install/deps.js'
import { planInstall } from '../../provision/install/pipeline.js'
import { streamJob } from '../job-stream.js'
import { InstallBody } from '../schemas/install.js'

export interface InstallRoutesOptions {
  install: InstallDeps
  jobs: JobRunner
  heartbeatMs: number
}

/** `POST /api/vm/install`: validated before the stream (400 names the field), then streamed. */
export const installRoutes: FastifyPluginAsyncTypebox<InstallRoutesOptions> = async (
  app,
  options,
) => {
  app.post(
    '/vm/install',
    { config: { replyAs: 'json' }, schema: { body: InstallBody } },
    async (request, reply) => {
      const plan = await planInstall(options.install, request.body)
      const job = options.jobs.start({ type: 'install' }, (report, signal) =>
        plan.run(report, signal),
      )
      await streamJob(request, reply, options.jobs, job, { heartbeatMs: options.heartbeatMs })
    },
  )
}
