import { ImageError } from './errors.js'
import type { ImageHttpClient } from './http-client.js'
import {
  abortedError,
  answeringUrl,
  contentLength,
  describeRequestFailure,
  describeStatus,
  isSuccess,
  requestHeaders,
  requestTarget,
  withTimeout,
  type ResponseHeaders,
} from './http-request.js'

/** What a HEAD on an image URL told. */
export interface ImageUrlCheck {
  /** the URL that answered, after redirects */
  finalUrl: string
  status: number
  /** from Content-Length; absent when the server did not say */
  sizeBytes?: number
}

export interface CheckImageUrlOptions {
  url: string
  http: ImageHttpClient
  timeoutMs: number
  signal?: AbortSignal | undefined
}

/**
 * HEAD on an image URL, following redirects; any 2xx passes. Everything else, including no
 * answer within the timeout, is IMAGE_URL_UNREACHABLE naming the URL and the status or reason.
 */
export async function checkImageUrl(options: CheckImageUrlOptions): Promise<ImageUrlCheck> {
  const { url, signal } = options
  let answer: { statusCode: number; headers: ResponseHeaders; context: object }
  try {
    const dispatcher = await options.http.dispatcher()
    const response = await dispatcher.request({
      ...requestTarget(url),
      method: 'HEAD',
      headers: requestHeaders,
      signal: withTimeout(signal, options.timeoutMs),
      headersTimeout: options.timeoutMs,
    })
    await response.body.dump()
    answer = response
  } catch (error) {
    if (signal?.aborted === true) throw abortedError('HEAD', url, signal)
    throw new ImageError(
      'IMAGE_URL_UNREACHABLE',
      url,
      `HEAD ${url} failed: ${reasonOf(error, options.timeoutMs)}`,
      { cause: error },
    )
  }
  if (!isSuccess(answer.statusCode)) {
    throw new ImageError(
      'IMAGE_URL_UNREACHABLE',
      url,
      `HEAD ${url} answered ${describeStatus(answer.statusCode)}`,
      { status: answer.statusCode },
    )
  }
  const check: ImageUrlCheck = {
    finalUrl: answeringUrl(answer.context, url),
    status: answer.statusCode,
  }
  const sizeBytes = contentLength(answer.headers)
  if (sizeBytes !== undefined) check.sizeBytes = sizeBytes
  return check
}

// The timeout signal aborts with a TimeoutError; undici's own headers timeout has its code.
function reasonOf(error: unknown, timeoutMs: number): string {
  const timedOut =
    error instanceof Error &&
    (error.name === 'TimeoutError' || ('code' in error && error.code === 'UND_ERR_HEADERS_TIMEOUT'))
  return timedOut ? `no answer within ${timeoutMs} ms` : describeRequestFailure(error)
}
