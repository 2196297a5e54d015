import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { describeError, isAppError } from '../../errors.js'
import { statusForCode, statusForError } from './status-for-error.js'
import { validationMessage } from './validation-message.js'

/** How a route answers, success or error: the seed's plain-text routes, or JSON. */
export type ReplyFormat = 'text' | 'json'

declare module 'fastify' {
  interface FastifyContextConfig {
    replyAs?: ReplyFormat
  }
}

/**
 * The one error handler: maps an error to its status and answers in the route's format. 4xx
 * and Proxmox failures carry their message; our own bugs are logged and answered generically.
 */
export const errorHandler = fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const { status, message, code } = describeForReply(error, request)
      if (status >= 500 && !isAppError(error)) request.log.error({ err: error }, 'request failed')
      else request.log.info({ status, code }, message)
      const retryAfter = retryAfterOf(error)
      if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter))
      answer(request, reply, status, code, message)
    })
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? ''
      // a path is echoed only in part: the answer stays small whatever the caller sent
      const shown = path.length > 80 ? `${path.slice(0, 80)}…` : path
      sendError(request, reply, 'NOT_FOUND', `no route ${request.method} ${shown}`)
    })
  },
  { name: 'error-handler' },
)

function describeForReply(
  error: FastifyError,
  request: FastifyRequest,
): { status: number; message: string; code: string } {
  if (error.validation !== undefined) {
    const context = error.validationContext ?? 'request'
    const where = context === 'params' ? 'id' : context
    return {
      status: 400,
      code: 'INVALID_INPUT',
      message: validationMessage(error.validation, where),
    }
  }
  const status = statusForError(error)
  const code = error.code
  if (isAppError(error) || status < 500) return { status, code, message: describeError(error) }
  request.log.debug({ err: error }, 'internal error')
  return { status, code: 'INTERNAL', message: 'internal error; the service log has the details' }
}

/**
 * Answers an error in the route's format (plain text unless the route speaks JSON), with the
 * status the one code map gives (`statusByCode`).
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: string,
  message: string,
): void {
  answer(request, reply, statusForCode(code), code, message)
}

/** Seconds a refused caller should wait before trying again, when the error says so. */
function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('retryAfterSeconds' in error)) {
    return undefined
  }
  const seconds = error.retryAfterSeconds
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : undefined
}

function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): void {
  const format = request.routeOptions.config.replyAs ?? 'text'
  if (format === 'json') {
    void reply.code(status).type('application/json').send({ success: false, code, message })
  } else {
    void reply.code(status).type('text/plain; charset=utf-8').send(message)
  }
}
