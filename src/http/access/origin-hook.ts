import { isIP } from 'node:net'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HttpRefusalError } from '../errors/errors.js'
import { isOpenPath, type OpenPaths } from './open-path.js'

export interface OriginHookOptions {
  /** `ALLOWED_HOSTS`: names the Host header may carry besides IPs and localhost; `*` = any */
  allowedHosts: readonly string[]
  /** `ALLOW_ORIGINS`: web origins whose pages may call the API, with CORS */
  allowOrigins: readonly string[]
  /** paths the Host check leaves alone: health probes and the scripts guests fetch by IP */
  open: OpenPaths
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])
const corsMethods = 'GET, POST'
const corsHeaders = 'authorization, content-type, idempotency-key, last-event-id, x-request-id'
const exposedHeaders = 'x-job-id, x-request-id, retry-after, www-authenticate'

/**
 * Keeps web pages of other sites from acting through a user's browser, and DNS rebinding out:
 *
 * - a request whose `Host` names a host that is not an IP literal, `localhost` or in
 *   `ALLOWED_HOSTS` is refused (421), whatever its method: a rebound name cannot pass;
 * - a changing request (POST …) whose `Origin` is neither this service's own origin nor in
 *   `ALLOW_ORIGINS`, or that the browser marks `Sec-Fetch-Site: cross-site`, is refused (403).
 *   A client that sends no `Origin` (curl, scripts, the CLI) is not a browser page and passes;
 * - pages of `ALLOW_ORIGINS` get CORS headers and their preflight is answered (204).
 *
 * Registered before the ALLOW_IPS and token hooks, so a preflight (which carries no token) is
 * answered and a foreign page is refused before anything else is looked at.
 */
export const originHook = fp(
  (app: FastifyInstance, options: OriginHookOptions) => {
    const anyHost = options.allowedHosts.includes('*')
    const hosts = new Set(options.allowedHosts)
    const origins = new Set(options.allowOrigins)
    app.addHook('onRequest', async (request, reply) => {
      const host = request.headers.host
      if (!anyHost && host !== undefined && !isOpenPath(request.url, options.open)) {
        const name = hostName(host)
        if (isIP(name) === 0 && name !== 'localhost' && !hosts.has(name)) {
          throw new HttpRefusalError(
            'HOST_NOT_ALLOWED',
            `this service does not answer to the host name ${JSON.stringify(name.slice(0, 64))}; add it to ALLOWED_HOSTS if it is yours`,
          )
        }
      }
      const origin = request.headers.origin
      const listed = origin !== undefined && origins.has(origin)
      if (listed) {
        reply.raw.setHeader('access-control-allow-origin', origin)
        reply.raw.setHeader('access-control-expose-headers', exposedHeaders)
      }
      if (origins.size > 0) reply.raw.setHeader('vary', 'Origin')
      if (isPreflight(request)) {
        if (!listed) throw refusedOrigin(origin)
        void reply
          .code(204)
          .header('access-control-allow-methods', corsMethods)
          .header('access-control-allow-headers', corsHeaders)
          .header('access-control-max-age', '600')
          .send()
        return reply
      }
      if (safeMethods.has(request.method) || listed) return
      if (origin !== undefined && !isSameOrigin(origin, host)) throw refusedOrigin(origin)
      if (request.headers['sec-fetch-site'] === 'cross-site') {
        throw new HttpRefusalError(
          'CROSS_SITE_REFUSED',
          'a page of another site may not change anything here (Sec-Fetch-Site: cross-site)',
        )
      }
    })
  },
  { name: 'origin' },
)

function isPreflight(request: FastifyRequest): boolean {
  return (
    request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined
  )
}

function refusedOrigin(origin: string | undefined): HttpRefusalError {
  const shown = JSON.stringify((origin ?? '').slice(0, 80))
  return new HttpRefusalError(
    'ORIGIN_NOT_ALLOWED',
    `a page of origin ${shown} may not change anything here; list it in ALLOW_ORIGINS if it should`,
  )
}

/** The name of a `Host` header value: port and IPv6 brackets off, lowercase. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host)
  if (bracketed?.[1] !== undefined) return bracketed[1].toLowerCase()
  return host.replace(/:\d+$/, '').toLowerCase()
}

/** True when the page's origin is this service as the browser reached it (`Host`). */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    const url = new URL(origin)
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase()
    )
  } catch {
    return false
  }
}
