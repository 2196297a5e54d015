import { sleep } from '../../../lib/sleep.js'
import { classifyPveMessage } from '../../errors.js'
import { PveConnectionError } from './errors.js'
import type { PveApiMethod, PveApiRequest, PveApiResponse, PveApiTransport } from './transport.js'

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

/** Only reads are idempotent: a write is repeated only when its first try surely did nothing. */
export function isIdempotent(method: PveApiMethod): boolean {
  return method === 'GET'
}

/**
 * True when a write's answer leaves open whether it took effect: a proxy or pveproxy gave up
 * (502/503/504, 595, 596 `Connection timed out`) or something else than PVE's envelope came back.
 * pveproxy answers 596 after 30 s while the daemon goes on with the change (pve.md §10.7).
 */
export function isUncertainAnswer(response: PveApiResponse): boolean {
  const { status } = response
  if (transientStatuses.has(status)) return true
  return status >= 500 && status !== 501 && response.noEnvelope === true
}

/**
 * Why an answer is worth another try, or undefined. PVE words every failure of a method as a
 * 500 with a JSON body (a missing VM, a running VM, ...): those are definite answers and are
 * not retried, except a file lock that timed out, which did nothing. A 4xx is never retried.
 * A write is retried only after that lock timeout: any other failure may have taken effect.
 */
export function retryReason(
  response: PveApiResponse,
  method: PveApiMethod = 'GET',
): string | undefined {
  const { status } = response
  const text = `HTTP ${status}${response.message === undefined ? '' : ` ${response.message}`}`
  if (status === 500 && classifyPveMessage(response.message ?? '') === 'lock_timeout') return text
  if (!isIdempotent(method)) return undefined
  return isUncertainAnswer(response) ? text : undefined
}

/**
 * Why a failed connection is worth another try (TLS failures and odd errors are not). A write
 * is retried only when the connection was refused, so nothing was sent; after a reset or a
 * timeout the request may have arrived.
 */
function connectionRetryReason(error: unknown, method: PveApiMethod): string | undefined {
  if (!(error instanceof PveConnectionError)) return undefined
  if (error.failure === 'refused') return error.message
  if (!isIdempotent(method)) return undefined
  return error.failure === 'reset' || error.failure === 'timeout' ? error.message : undefined
}

/**
 * Wraps a transport with retries and exponential backoff for what may pass. Reads are retried
 * after 502/503/504, PVE's 595/596, 5xx pages that are not PVE's envelope, refused, reset and
 * timed-out connections. Writes are retried only when the first try surely did nothing: a
 * refused connection or a lock timeout (`got timeout`); any other failure of a write is handed
 * back for the driver to read the state first (a second import would make a second disk). The
 * caller's signal cancels the waits.
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
          reason = retryReason(response, request.method)
          if (reason === undefined || attempt >= attempts) return response
        } catch (error) {
          reason = connectionRetryReason(error, request.method)
          if (reason === undefined || attempt >= attempts) throw error
        }
        const delayMs = Math.min(max, base * 2 ** (attempt - 1))
        options.onRetry?.({ method: request.method, path: request.path, attempt, delayMs, reason })
        await wait(delayMs, request.signal)
      }
    },
  }
}
