import { describeError } from '../errors.js'
import { ImageError } from './errors.js'

/** The fetch the store uses: the global one or undici's, injectable for tests. */
export type FetchFunction = typeof globalThis.fetch

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
 * Why a request failed without an HTTP answer, in a few words: fetch wraps the socket error
 * (ECONNREFUSED, "other side closed") as the cause of a bare "fetch failed".
 */
export function describeFetchFailure(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out'
  const cause = error instanceof Error ? error.cause : undefined
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined
    return code !== undefined && !cause.message.includes(code)
      ? `${code}: ${cause.message}`
      : cause.message
  }
  return describeError(error)
}

/** `404 Not Found`, or just the number when the server sent no reason phrase. */
export function describeStatus(response: Response): string {
  return response.statusText === ''
    ? String(response.status)
    : `${response.status} ${response.statusText}`
}

/** The Content-Length header as a byte count, or undefined when absent or not a number. */
export function contentLength(response: Response): number | undefined {
  const header = response.headers.get('content-length')
  if (header === null || !/^\d+$/.test(header)) return undefined
  return Number(header)
}
