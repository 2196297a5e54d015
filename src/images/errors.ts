import { AppError } from '../errors.js'

export type ImageErrorCode =
  | 'IMAGE_URL_UNREACHABLE'
  | 'IMAGE_CHECKSUM_UNAVAILABLE'
  | 'IMAGE_CHECKSUM_NOT_LISTED'
  | 'IMAGE_CHECKSUM_MISMATCH'
  | 'IMAGE_DOWNLOAD_FAILED'
  | 'IMAGE_WRITE_FAILED'
  | 'IMAGE_ABORTED'
  | 'IMAGE_INVALID_SOURCE'

/** One-line description of each code, for the docs and the error catalogue test. */
export const imageErrorCodes: Record<ImageErrorCode, string> = {
  IMAGE_URL_UNREACHABLE:
    'the HEAD check of the image URL failed: no answer, or a status other than 2xx',
  IMAGE_CHECKSUM_UNAVAILABLE:
    "the distribution's checksum file could not be fetched, so the image cannot be verified",
  IMAGE_CHECKSUM_NOT_LISTED:
    'the checksum file has no line for the image under its exact name with a digest of the expected algorithm',
  IMAGE_CHECKSUM_MISMATCH:
    'the downloaded image does not match the digest in the checksum file; it was deleted',
  IMAGE_DOWNLOAD_FAILED:
    'the image download failed: no connection, a status other than 2xx, the connection broken off, or a short body',
  IMAGE_WRITE_FAILED:
    'the downloaded bytes could not be written or synced to the image directory (disk full, I/O error, permissions); the .part was deleted',
  IMAGE_ABORTED: 'the caller cancelled the image check or download; no partial file was left',
  IMAGE_INVALID_SOURCE:
    'a mirror URL or catalog entry gives a URL or file name the store cannot use',
}

/** A failure of the image store. `url` names what was being fetched, without credentials. */
export class ImageError extends AppError {
  override readonly name: string = 'ImageError'
  declare readonly code: ImageErrorCode
  readonly url: string
  /** the HTTP status, when the server answered */
  readonly status: number | undefined

  constructor(
    code: ImageErrorCode,
    url: string,
    message: string,
    options?: ErrorOptions & { status?: number },
  ) {
    super(code, message, options)
    this.url = url
    this.status = options?.status
  }
}

/** The downloaded bytes hash to something other than the checksum file says. */
export class ImageChecksumMismatchError extends ImageError {
  override readonly name = 'ImageChecksumMismatchError'
  /** full hex digests, for a caller that logs them; the message shows them shortened */
  readonly expected: string
  readonly actual: string

  constructor(url: string, algorithm: string, expected: string, actual: string) {
    super(
      'IMAGE_CHECKSUM_MISMATCH',
      url,
      `${algorithm} of ${url} is ${shortDigest(actual)}, the checksum file says ${shortDigest(expected)}; the download was deleted`,
    )
    this.expected = expected
    this.actual = actual
  }
}

/** True for an ImageError, optionally of one code. */
export function isImageError(error: unknown, code?: ImageErrorCode): error is ImageError {
  return error instanceof ImageError && (code === undefined || error.code === code)
}

/** A digest cut to its first 8 and last 4 hex digits, enough to tell two apart in a message. */
export function shortDigest(hex: string): string {
  return hex.length <= 16 ? hex : `${hex.slice(0, 8)}…${hex.slice(-4)}`
}
