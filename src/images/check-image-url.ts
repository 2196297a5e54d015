import { ImageError } from './errors.js'
import {
  abortedError,
  contentLength,
  describeFetchFailure,
  describeStatus,
  requestHeaders,
  withTimeout,
  type FetchFunction,
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
  fetch: FetchFunction
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
  let response: Response
  try {
    response = await options.fetch(url, {
      method: 'HEAD',
      redirect: 'follow',
      headers: requestHeaders,
      signal: withTimeout(signal, options.timeoutMs),
    })
  } catch (error) {
    if (signal?.aborted === true) throw abortedError('HEAD', url, signal)
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : describeFetchFailure(error)
    throw new ImageError('IMAGE_URL_UNREACHABLE', url, `HEAD ${url} failed: ${reason}`, {
      cause: error,
    })
  }
  if (!response.ok) {
    throw new ImageError(
      'IMAGE_URL_UNREACHABLE',
      url,
      `HEAD ${url} answered ${describeStatus(response)}`,
      {
        status: response.status,
      },
    )
  }
  const sizeBytes = contentLength(response)
  const check: ImageUrlCheck = {
    finalUrl: response.url === '' ? url : response.url,
    status: response.status,
  }
  if (sizeBytes !== undefined) check.sizeBytes = sizeBytes
  return check
}
