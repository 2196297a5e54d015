import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.js'

/**
 * JSON bodies, where an empty body counts as no body: many clients send
 * `Content-Type: application/json` with nothing on a bodiless POST such as `/stop`.
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(text) as unknown)
    } catch {
      const error = new AppError('INVALID_INPUT', 'body: is not valid JSON')
      done(error, undefined)
    }
  })
}
