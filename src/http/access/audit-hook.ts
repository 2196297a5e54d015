import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { describeError } from '../../errors.js'
import type { AuditEntry } from '../../store/index.js'
import { clientAddress, type AllowList } from '../allow-ips/index.js'
import { actorOf } from './request-actor.js'

export interface AuditHookOptions {
  /** where entries go (the store's audit table) */
  audit: { record(entry: AuditEntry): void }
  /** TRUST_PROXY, to record the client behind a proxy */
  trustedProxies: AllowList | undefined
}

const refusals = new WeakMap<FastifyRequest, string>()

/** Records why a request was refused (an error code), for its audit entry. */
export function noteRefusal(request: FastifyRequest, code: string): void {
  refusals.set(request, code)
}

const readOnly = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Writes one audit entry — who (token name), from where, what (method and path), and how it
 * ended — for every request that may change something and for every refused one (401/403),
 * when its response is over; a stream's entry names its job. Bodies and headers are never
 * recorded. Registered first, so even a caller the IP allowlist turns away is recorded.
 */
export const auditHook = fp(
  (app: FastifyInstance, options: AuditHookOptions) => {
    app.addHook('onRequest', async (request, reply) => {
      const forwarded = request.headers['x-forwarded-for']
      const address = clientAddress({
        socketAddress: request.socket.remoteAddress ?? '',
        forwardedFor: Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
        trustedProxies: options.trustedProxies,
      })
      reply.raw.once('close', () => {
        const status = reply.raw.statusCode
        if (readOnly.has(request.method) && status !== 401 && status !== 403) return
        try {
          options.audit.record({
            actor: actorOf(request),
            address,
            action: `${request.method} ${request.url.split('?')[0] ?? ''}`,
            vmid: vmidOf(request.params),
            status,
            result: resultOf(request, reply.raw.getHeader('x-job-id'), status),
          })
        } catch (error) {
          request.log.warn({ err: describeError(error) }, 'audit entry not written')
        }
      })
    })
    app.addHook('onError', async (request, _reply, error) => {
      if (typeof error.code === 'string' && error.code !== '') noteRefusal(request, error.code)
    })
  },
  { name: 'audit' },
)

function resultOf(request: FastifyRequest, jobId: unknown, status: number): string {
  const refusal = refusals.get(request)
  if (refusal !== undefined) return refusal
  if (status >= 400) return `HTTP ${status}`
  return typeof jobId === 'string' ? `ok, job ${jobId}` : 'ok'
}

function vmidOf(params: unknown): number | undefined {
  if (typeof params !== 'object' || params === null || !('id' in params)) return undefined
  const id = Number(params.id)
  return Number.isInteger(id) ? id : undefined
}
