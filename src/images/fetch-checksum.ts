import { lookupChecksum, type DigestAlgorithm } from './checksum-file.js'
import { ImageError } from './errors.js'
import {
  abortedError,
  describeFetchFailure,
  describeStatus,
  requestHeaders,
  withTimeout,
  type FetchFunction,
} from './http-request.js'

/** The digest the checksum file gives for the image, and its size when the file says. */
export interface ExpectedDigest {
  digest: string
  sizeBytes?: number
}

export interface FetchChecksumOptions {
  fetch: FetchFunction
  checksumUrl: string
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
      `GET ${url} failed: ${describeFetchFailure(error)}; the image cannot be verified`,
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
  const response = await options.fetch(url, {
    redirect: 'follow',
    headers: requestHeaders,
    signal: withTimeout(options.signal, options.timeoutMs),
  })
  if (!response.ok || response.body === null) {
    await response.body?.cancel()
    throw new ImageError(
      'IMAGE_CHECKSUM_UNAVAILABLE',
      url,
      `GET ${url} answered ${describeStatus(response)}; the image cannot be verified`,
      { status: response.status },
    )
  }
  const body: AsyncIterable<Uint8Array> = response.body
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.byteLength
    if (size > options.maxBytes) {
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
