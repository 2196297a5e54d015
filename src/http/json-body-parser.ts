import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.js'
import { jsonDepth } from './json-depth.js'

/** Nesting a body may have when the caller sets no limit (`MAX_BODY_DEPTH`'s default). */
const defaultMaxDepth = 8

/**
 * JSON bodies, where an empty body counts as no body: many clients send
 * `Content-Type: application/json` with nothing on a bodiless POST such as `/stop`. A body
 * nested deeper than `maxDepth` is refused (400) before it is parsed, so no later recursive
 * walk of it (validation, fingerprint, logging) can run out of stack.
 */
export function acceptEmptyJsonBodies(
  app: FastifyInstance,
  options: { maxDepth?: number } = {},
): void {
  const maxDepth = options.maxDepth ?? defaultMaxDepth
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    if (jsonDepth(text, maxDepth) > maxDepth) {
      done(
        new AppError('INVALID_INPUT', `body: is nested deeper than ${maxDepth} levels`),
        undefined,
      )
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
