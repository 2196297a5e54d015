import { ImageError } from './errors.js'
import {
  abortedError,
  contentLength,
  describeRequestFailure,
  describeStatus,
  isSuccess,
  withTimeout,
} from './http-request.js'
import { socketRequest, type SocketResponse } from './socket-request.js'

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
  timeoutMs: number
  signal?: AbortSignal | undefined
}

/**
 * HEAD on an image URL, following redirects; any 2xx passes. Everything else, including no
 * answer within the timeout, is IMAGE_URL_UNREACHABLE naming the URL and the status or reason.
 */
export async function checkImageUrl(options: CheckImageUrlOptions): Promise<ImageUrlCheck> {
  const { url, signal } = options
  let response: SocketResponse
  try {
    response = await socketRequest({
      method: 'HEAD',
      url,
      signal: withTimeout(signal, options.timeoutMs),
      idleTimeoutMs: options.timeoutMs,
    })
    response.close()
  } catch (error) {
    if (signal?.aborted === true) throw abortedError('HEAD', url, signal)
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : describeRequestFailure(error)
    throw new ImageError('IMAGE_URL_UNREACHABLE', url, `HEAD ${url} failed: ${reason}`, {
      cause: error,
    })
  }
  if (!isSuccess(response)) {
    throw new ImageError(
      'IMAGE_URL_UNREACHABLE',
      url,
      `HEAD ${url} answered ${describeStatus(response)}`,
      {
        status: response.statusCode,
      },
    )
  }
  const sizeBytes = contentLength(response)
  const check: ImageUrlCheck = { finalUrl: response.url, status: response.statusCode }
  if (sizeBytes !== undefined) check.sizeBytes = sizeBytes
  return check
}
