import { describeError } from '../errors.js'
import { ImageError } from './errors.js'
import type { ResponseHead } from './response-head.js'

/** Headers on every request: ask for the bytes as stored, so digests and lengths hold. */
export const requestHeaders: Readonly<Record<string, string>> = {
  'accept-encoding': 'identity',
  'user-agent': 'pve-qemu image store',
}

/** The caller's signal combined with a timeout. */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

/** The error for work its caller cancelled; the signal's reason is kept as the cause. */
export function abortedError(what: string, url: string, signal: AbortSignal): ImageError {
  return new ImageError('IMAGE_ABORTED', url, `${what} ${url} was cancelled`, {
    cause: signal.reason,
  })
}

/**
 * Why a request failed without an HTTP answer, in a few words, with the socket error's code
 * (ECONNREFUSED) when the message lacks it.
 */
export function describeRequestFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out'
  const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error
  if (!(failure instanceof Error)) return describeError(failure)
  const code = 'code' in failure && typeof failure.code === 'string' ? failure.code : undefined
  return code !== undefined && !failure.message.includes(code)
    ? `${code}: ${failure.message}`
    : failure.message
}

/** `404 Not Found`, or just the number when the server sent no reason phrase. */
export function describeStatus(head: ResponseHead): string {
  return head.statusText === '' ? String(head.statusCode) : `${head.statusCode} ${head.statusText}`
}

/** True for a 2xx answer. */
export function isSuccess(head: ResponseHead): boolean {
  return head.statusCode >= 200 && head.statusCode < 300
}

/** The Content-Length header as a byte count, or undefined when absent or not a number. */
export function contentLength(head: ResponseHead): number | undefined {
  const header = head.headers['content-length']
  if (header === undefined || !/^\d+$/.test(header)) return undefined
  return Number(header)
}
