import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../../errors.js'
import { clientAddress, type AllowList } from '../allow-ips/index.js'

export interface AccessOptions {
  /** ALLOW_IPS; undefined or allow-all lets everyone in */
  allowList: AllowList
  /** TRUST_PROXY */
  trustedProxies: AllowList | undefined
  /** path prefixes open to everyone: health checks and the init scripts guests fetch */
  openPaths: readonly string[]
}

export class AccessDeniedError extends AppError {
  override readonly name = 'AccessDeniedError'
  constructor(address: string) {
    super('ACCESS_DENIED', `this IP (${address}) is not allowed to perform this action`)
  }
}

/** One hook in front of every route but the open ones: refuses callers outside ALLOW_IPS. */
export const allowIpsHook = fp(
  (app: FastifyInstance, options: AccessOptions) => {
    app.addHook('onRequest', async (request) => {
      const path = request.url.split('?')[0] ?? ''
      if (options.openPaths.some((open) => path === open || path.startsWith(`${open}/`))) return
      const forwarded = request.headers['x-forwarded-for']
      const address = clientAddress({
        socketAddress: request.socket.remoteAddress ?? '',
        forwardedFor: Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
        trustedProxies: options.trustedProxies,
      })
      if (!options.allowList.allows(address)) throw new AccessDeniedError(address)
    })
  },
  { name: 'allow-ips' },
)
