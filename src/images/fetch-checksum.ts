import { lookupChecksum, type DigestAlgorithm } from './checksum-file.js'
import { ImageError } from './errors.js'
import type { ImageHttpClient } from './http-client.js'
import {
  abortedError,
  describeRequestFailure,
  describeStatus,
  isSuccess,
  requestHeaders,
  requestTarget,
  withTimeout,
} from './http-request.js'

/** The digest the checksum file gives for the image, and its size when the file says. */
export interface ExpectedDigest {
  digest: string
  sizeBytes?: number
}

export interface FetchChecksumOptions {
  checksumUrl: string
  http: ImageHttpClient
  fileName: string
  algorithm: DigestAlgorithm
  timeoutMs: number
  /** a checksum file is a few KiB; anything much larger is not one */
  maxBytes: number
  signal?: AbortSignal | undefined
}

/**
 * Fetches a distribution's checksum file and reads the digest of exactly `fileName` from it.
 * Fails with IMAGE_CHECKSUM_UNAVAILABLE when the file cannot be had, and with
 * IMAGE_CHECKSUM_NOT_LISTED when it has no usable line for the image.
 */
export async function fetchChecksum(options: FetchChecksumOptions): Promise<ExpectedDigest> {
  const { checksumUrl: url, signal } = options
  let text: string
  try {
    text = await fetchText(options)
  } catch (error) {
    if (signal?.aborted === true) throw abortedError('GET', url, signal)
    if (error instanceof ImageError) throw error
    throw new ImageError(
      'IMAGE_CHECKSUM_UNAVAILABLE',
      url,
      `GET ${url} failed: ${describeRequestFailure(error)}; the image cannot be verified`,
      { cause: error },
    )
  }
  const found = lookupChecksum(text, options.fileName, options.algorithm)
  if (!found.found) {
    throw new ImageError('IMAGE_CHECKSUM_NOT_LISTED', url, `${url}: ${found.reason}`)
  }
  return found.sizeBytes === undefined
    ? { digest: found.digest }
    : { digest: found.digest, sizeBytes: found.sizeBytes }
}

async function fetchText(options: FetchChecksumOptions): Promise<string> {
  const url = options.checksumUrl
  const dispatcher = await options.http.dispatcher()
  const response = await dispatcher.request({
    ...requestTarget(url),
    method: 'GET',
    headers: requestHeaders,
    signal: withTimeout(options.signal, options.timeoutMs),
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })
  if (!isSuccess(response.statusCode)) {
    await response.body.dump()
    throw new ImageError(
      'IMAGE_CHECKSUM_UNAVAILABLE',
      url,
      `GET ${url} answered ${describeStatus(response.statusCode)}; the image cannot be verified`,
      { status: response.statusCode },
    )
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body) {
    if (!(chunk instanceof Buffer)) continue
    size += chunk.length
    if (size > options.maxBytes) {
      response.body.destroy()
      throw new ImageError(
        'IMAGE_CHECKSUM_UNAVAILABLE',
        url,
        `${url} is larger than ${options.maxBytes} bytes, which no checksum file is`,
      )
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
