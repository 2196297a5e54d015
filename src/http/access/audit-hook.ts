import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { describeError } from '../../errors.js'
import type { AuditTable } from '../../store/index.js'
import { clientAddress, type AllowList } from '../allow-ips/index.js'
import { actorOf } from './request-actor.js'

export interface AuditHookOptions {
  /** where entries go (the store's audit table) */
  audit: Pick<AuditTable, 'record' | 'countRefusal'>
  /**
   * Refused requests (4xx) of one client address recorded one row each per minute; past that
   * they are only counted, per address and reason (`AUDIT_REFUSALS_PER_MINUTE`)
   */
  refusalRowsPerMinute: number
  /** TRUST_PROXY, to record the client behind a proxy */
  trustedProxies: AllowList | undefined
}

const refusals = new WeakMap<FastifyRequest, string>()

/** Records why a request was refused (an error code), for its audit entry. */
export function noteRefusal(request: FastifyRequest, code: string): void {
  refusals.set(request, code)
}

const readOnly = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Refusals of a read-only request that are still worth recording: who was turned away. */
const refusedReads = new Set([401, 403, 421])

/**
 * Writes one audit entry — who (token name), from where, what (method and path, cut short), and
 * how it ended — for every request that may change something and for every refused one
 * (401/403/421), when its response is over; a stream's entry names its job. Bodies and headers
 * are never recorded. Registered first, so even a caller the IP allowlist turns away is
 * recorded. A flood of refusals cannot fill the disk: past `refusalRowsPerMinute` rows per
 * client address, a refusal only increments that address's counter for its reason.
 */
export const auditHook = fp(
  (app: FastifyInstance, options: AuditHookOptions) => {
    const rate = createRefusalRate(options.refusalRowsPerMinute)
    const counter = createRefusalCounter(options.audit, (error) => {
      app.log.warn({ err: describeError(error) }, 'audit refusal counts not written')
    })
    app.addHook('onClose', async () => {
      counter.flush()
    })
    app.addHook('onRequest', async (request, reply) => {
      const forwarded = request.headers['x-forwarded-for']
      const address = clientAddress({
        socketAddress: request.socket.remoteAddress ?? '',
        forwardedFor: Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
        trustedProxies: options.trustedProxies,
      })
      reply.raw.once('close', () => {
        const status = reply.raw.statusCode
        if (readOnly.has(request.method) && !refusedReads.has(status)) return
        const action = `${request.method} ${request.url.split('?')[0] ?? ''}`
        const result = resultOf(request, reply.raw.getHeader('x-job-id'), status)
        try {
          if (status >= 400 && status < 500 && !rate.allowRow(address)) {
            counter.add({ address, reason: result, action })
            return
          }
          options.audit.record({
            actor: actorOf(request),
            address,
            action,
            vmid: vmidOf(request.params),
            status,
            result,
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

/** Counts refusal rows per client address and minute; forgets everything at the next minute. */
function createRefusalRate(perMinute: number): { allowRow(address: string): boolean } {
  let minute = -1
  const rows = new Map<string, number>()
  return {
    allowRow(address) {
      const now = Math.floor(Date.now() / 60_000)
      if (now !== minute) {
        minute = now
        rows.clear()
      }
      const written = rows.get(address) ?? 0
      // a flood from very many addresses is counted, never tracked one entry each
      if (written >= perMinute || (written === 0 && rows.size >= 10_000)) return false
      rows.set(address, written + 1)
      return true
    },
  }
}

/** How long refusal counts are gathered in memory before they are written, at most. */
const refusalFlushMs = 5_000
/** Distinct (address, reason) pairs gathered before a write, at most. */
const refusalFlushPairs = 1_000

/**
 * Gathers refusal counts in memory and writes them together, every few seconds: a flood of
 * refusals costs one small write per interval instead of one per request.
 */
function createRefusalCounter(
  audit: Pick<AuditTable, 'countRefusal'>,
  onError: (error: unknown) => void,
): { add(refusal: { address: string; reason: string; action: string }): void; flush(): void } {
  const pending = new Map<
    string,
    { address: string; reason: string; action: string; count: number }
  >()
  let timer: NodeJS.Timeout | undefined
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const batch = [...pending.values()]
    pending.clear()
    try {
      for (const refusal of batch) audit.countRefusal(refusal)
    } catch (error) {
      onError(error)
    }
  }
  return {
    add(refusal) {
      const key = `${refusal.address} ${refusal.reason}`
      const action = refusal.action.slice(0, 200)
      const entry = pending.get(key)
      if (entry === undefined) pending.set(key, { ...refusal, action, count: 1 })
      else {
        entry.count += 1
        entry.action = action
      }
      if (pending.size >= refusalFlushPairs) flush()
      else timer ??= setTimeout(flush, refusalFlushMs).unref()
    },
    flush,
  }
}
