import { lookupChecksum, type DigestAlgorithm } from './checksum-file.js'
import { ImageError } from './errors.js'
import {
  abortedError,
  describeRequestFailure,
  describeStatus,
  isSuccess,
  withTimeout,
} from './http-request.js'
import { socketRequest } from './socket-request.js'

/** The digest the checksum file gives for the image, and its size when the file says. */
export interface ExpectedDigest {
  digest: string
  sizeBytes?: number
}

export interface FetchChecksumOptions {
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
  const response = await socketRequest({
    method: 'GET',
    url,
    signal: withTimeout(options.signal, options.timeoutMs),
    idleTimeoutMs: options.timeoutMs,
  })
  if (!isSuccess(response)) {
    response.close()
    throw new ImageError(
      'IMAGE_CHECKSUM_UNAVAILABLE',
      url,
      `GET ${url} answered ${describeStatus(response)}; the image cannot be verified`,
      { status: response.statusCode },
    )
  }
  const chunks: Buffer[] = []
  let size = 0
  await response.readBody({
    take(bytes) {
      size += bytes.length
      if (size > options.maxBytes) {
        response.close(
          new ImageError(
            'IMAGE_CHECKSUM_UNAVAILABLE',
            url,
            `${url} is larger than ${options.maxBytes} bytes, which no checksum file is`,
          ),
        )
        return false
      }
      chunks.push(Buffer.from(bytes))
      return true
    },
  })
  return Buffer.concat(chunks).toString('utf8')
}
