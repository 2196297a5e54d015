import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AppMetrics } from './create-metrics.js'

export interface MetricsPluginOptions {
  metrics: AppMetrics
}

/**
 * Times every request from its arrival until its response is closed — for an SSE stream, the
 * whole stream — labelled by route pattern (never the raw URL, so VMIDs do not multiply the
 * series), and serves `GET /metrics` in the Prometheus text format.
 */
export const metricsPlugin = fp(
  (app: FastifyInstance, options: MetricsPluginOptions) => {
    const { metrics } = options
    app.addHook('onRequest', async (request, reply) => {
      const startedAt = performance.now()
      const route = request.routeOptions.url ?? 'unmatched'
      const method = request.method
      reply.raw.once('close', () => {
        const seconds = (performance.now() - startedAt) / 1000
        metrics.observeRequest({ method, route, status: reply.raw.statusCode }, seconds)
      })
    })
    app.get('/metrics', { config: { replyAs: 'text' } }, async (_request, reply) => {
      const text = await metrics.render()
      return reply.type(metrics.contentType).send(text)
    })
  },
  { name: 'metrics' },
)
