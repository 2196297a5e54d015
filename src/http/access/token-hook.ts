import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sendError } from '../errors/error-handler.js'
import { bearerToken, type ApiTokenVerifier } from './api-tokens.js'
import { noteRefusal } from './audit-hook.js'
import { isOpenPath, type OpenPaths } from './open-path.js'
import { setActor } from './request-actor.js'

export interface TokenHookOptions {
  verifier: ApiTokenVerifier
  /** what needs no token: health, the init scripts guests fetch, the dashboard's static files */
  open: OpenPaths
}

/** One-line description of each code this hook answers with. */
export const tokenErrorCodes: Record<string, string> = {
  AUTH_REQUIRED: 'API tokens are configured and the request carried none',
  AUTH_INVALID: 'the request carried a token that is not one of the configured ones',
}

/**
 * When API tokens are configured, every route but the open ones needs
 * `Authorization: Bearer <token>`; otherwise 401. Registered after the ALLOW_IPS hook, so both
 * apply. The token never reaches a log or a reply: refusals say only what was missing.
 */
export const tokenHook = fp(
  (app: FastifyInstance, options: TokenHookOptions) => {
    if (!options.verifier.required) return
    app.addHook('onRequest', async (request, reply) => {
      if (isOpenPath(request.url, options.open)) return
      const token = bearerToken(request.headers.authorization)
      const name = token === undefined ? undefined : options.verifier.identify(token)
      if (name !== undefined) {
        setActor(request, name)
        return
      }
      const code = token === undefined ? 'AUTH_REQUIRED' : 'AUTH_INVALID'
      noteRefusal(request, code)
      void reply.header('www-authenticate', 'Bearer realm="pve-qemu"')
      sendError(
        request,
        reply,
        code,
        token === undefined
          ? 'this route needs an API token: send "Authorization: Bearer <token>"'
          : 'the API token is not valid',
      )
      return reply
    })
  },
  { name: 'api-tokens' },
)
