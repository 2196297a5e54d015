import { sleep } from '../../../lib/sleep.js'
import { classifyPveMessage } from '../../errors.js'
import { PveConnectionError } from './errors.js'
import type { PveApiRequest, PveApiResponse, PveApiTransport } from './transport.js'

export interface RetryOptions {
  /** tries in all, the first included (default 4) */
  attempts?: number
  /** wait before the first retry, doubled for each next one (default 500 ms) */
  baseDelayMs?: number
  /** longest wait between two tries (default 8 s) */
  maxDelayMs?: number
  /** how to wait; tests pass one that records the delays */
  wait?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
  /** told about each retry before its wait, for a warning in the log */
  onRetry?: (retry: RetryNotice) => void
}

export interface RetryNotice {
  method: string
  path: string
  /** the try that failed, from 1 */
  attempt: number
  delayMs: number
  reason: string
}

/** Statuses that come from between us and the API method, never from the method itself. */
const transientStatuses = new Set([502, 503, 504, 595, 596])

/**
 * Why an answer is worth another try, or undefined. PVE words every failure of a method as a
 * 500 with a JSON body (a missing VM, a running VM, ...): those are definite answers and are
 * not retried, except a file lock that timed out. A 4xx is never retried.
 */
export function retryReason(response: PveApiResponse): string | undefined {
  const { status } = response
  const text = `HTTP ${status}${response.message === undefined ? '' : ` ${response.message}`}`
  if (transientStatuses.has(status)) return text
  if (status === 500 && classifyPveMessage(response.message ?? '') === 'lock_timeout') return text
  if (status >= 500 && status !== 501 && response.noEnvelope === true) return text
  return undefined
}

/** Why a failed connection is worth another try (TLS failures and odd errors are not). */
function connectionRetryReason(error: unknown): string | undefined {
  if (!(error instanceof PveConnectionError)) return undefined
  return error.failure === 'refused' || error.failure === 'reset' || error.failure === 'timeout'
    ? error.message
    : undefined
}

/**
 * Wraps a transport with retries and exponential backoff for what may pass: 502/503/504, PVE's
 * 595/596 (a node it could not reach), lock timeouts (`got timeout`), 5xx pages that are not
 * PVE's envelope, refused, reset and timed-out connections. A retried request that had in fact
 * run gets PVE's definite refusal the second time (VM exists, already running), never a second
 * effect. The caller's signal cancels the waits.
 */
export function createRetryingTransport(
  inner: PveApiTransport,
  options: RetryOptions = {},
): PveApiTransport {
  const attempts = Math.max(1, options.attempts ?? 4)
  const base = options.baseDelayMs ?? 500
  const max = options.maxDelayMs ?? 8000
  const wait = options.wait ?? sleep

  return {
    user: inner.user,
    async request(request: PveApiRequest): Promise<PveApiResponse> {
      for (let attempt = 1; ; attempt++) {
        let reason: string | undefined
        try {
          const response = await inner.request(request)
          reason = retryReason(response)
          if (reason === undefined || attempt >= attempts) return response
        } catch (error) {
          reason = connectionRetryReason(error)
          if (reason === undefined || attempt >= attempts) throw error
        }
        const delayMs = Math.min(max, base * 2 ** (attempt - 1))
        options.onRetry?.({ method: request.method, path: request.path, attempt, delayMs, reason })
        await wait(delayMs, request.signal)
      }
    },
  }
}
