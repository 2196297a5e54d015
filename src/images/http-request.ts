import { STATUS_CODES } from 'node:http'

import { describeError } from '../errors.js'
import { ImageError } from './errors.js'

/** Response headers as undici gives them: lower-case names. */
export type ResponseHeaders = Record<string, string | string[] | undefined>

/** Headers on every request: ask for the bytes as stored, so digests and lengths hold. */
export const requestHeaders: Readonly<Record<string, string>> = {
  'accept-encoding': 'identity',
  'user-agent': 'pve-qemu image store',
}

/** The origin and path of `url`, as a dispatcher's request takes them. */
export function requestTarget(url: string): { origin: string; path: string } {
  const target = new URL(url)
  return { origin: target.origin, path: `${target.pathname}${target.search}` }
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

/** `404 Not Found`; undici does not pass the reason phrase on, so it is the standard one. */
export function describeStatus(statusCode: number): string {
  const reason = STATUS_CODES[statusCode]
  return reason === undefined ? String(statusCode) : `${statusCode} ${reason}`
}

/** True for a 2xx answer. */
export function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300
}

/** One header's value; a repeated header's values joined with ", ". */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The Content-Length header as a byte count, or undefined when absent or not a number. */
export function contentLength(headers: ResponseHeaders): number | undefined {
  const value = header(headers, 'content-length')
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined
  return Number(value)
}

/**
 * The URL that answered: the last of the redirect interceptor's history in the response's
 * context, or `requested` when no redirect was followed.
 */
export function answeringUrl(context: object, requested: string): string {
  if (!('history' in context) || !Array.isArray(context.history)) return requested
  const last: unknown = context.history.at(-1)
  return last instanceof URL ? last.href : requested
}
