import type { FastifyPluginAsync } from 'fastify'

/** `GET /api/health`: liveness, open to everyone, answers `ok`. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/health', { config: { replyAs: 'text' } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send('ok'),
  )
}
