import type { FastifyPluginAsync } from 'fastify'
import { statusForCode } from '../errors/status-for-error.js'

/** What `GET /api/health?full=1` reports besides "the process answers". */
export interface HealthReport {
  /** the store's last write: failing writes fail jobs and stop installs from being admitted */
  store: { writable: boolean; error?: string; since?: string }
  /** free space of DATA_DIR against MIN_FREE_DISK_MB */
  disk: { free_mb: number; min_free_mb: number }
  /** jobs of this process holding a slot and waiting for one */
  jobs: { running: number; queued: number }
  /** SSE streams following jobs */
  streams: number
}

export interface HealthRoutesOptions {
  report: () => HealthReport
}

/**
 * `GET /api/health`: liveness, open to everyone, answers `ok` — exactly the seed's contract.
 * `?full=1` answers JSON with the store's write state, DATA_DIR's free space, jobs and streams,
 * `"status": "ok"` (200) or `"degraded"` with the status of the problem (503) for a probe.
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get<{ Querystring: { full?: string } }>(
    '/health',
    { config: { replyAs: 'text' } },
    async (request, reply) => {
      const full = request.query.full
      if (full === undefined || full === '' || full === '0') {
        return reply.type('text/plain; charset=utf-8').send('ok')
      }
      const report = options.report()
      const problem = !report.store.writable
        ? 'STORE_UNAVAILABLE'
        : report.disk.free_mb < report.disk.min_free_mb
          ? 'DISK_LOW'
          : undefined
      return reply
        .code(problem === undefined ? 200 : statusForCode(problem))
        .type('application/json')
        .send({
          status: problem === undefined ? 'ok' : 'degraded',
          ...(problem === undefined ? {} : { problem }),
          ...report,
        })
    },
  )
}
