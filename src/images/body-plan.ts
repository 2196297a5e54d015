import { ImageError } from './errors.js'
import {
  contentLength,
  describeStatus,
  header,
  isSuccess,
  type ResponseHeaders,
} from './http-request.js'
import { resumableRecord, type PartialDownload, type PartRecord } from './partial-download.js'

/** Where a response's body goes in the `.part`, and what to expect of it. */
export interface BodyPlan {
  /** bytes of the `.part` kept ahead of the body: 0, or the resumed part's size */
  start: number
  /** the whole file's size, when the server said */
  totalBytes: number | undefined
  /** the record to write before a fresh body, when the server can resume it */
  record: PartRecord | undefined
}

/** The server sent the request elsewhere (3xx with a Location): ask there. */
export class RedirectedError extends Error {
  override readonly name = 'RedirectedError'
  /** the absolute URL to ask next */
  readonly location: string

  constructor(from: string, location: string) {
    super(`GET ${from} redirected to ${location}`)
    this.location = location
  }
}

/** The server cannot continue the `.part` (416, or a range other than asked): start afresh. */
export class StalePartError extends Error {
  override readonly name = 'StalePartError'
}

const redirectStatuses = new Set([301, 302, 303, 307, 308])

const contentRange = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/

/**
 * Reads the status and headers of a GET for an image, which asked for the rest of `partial`
 * when there is one. 200 starts the file afresh (the server ignored the range, or If-Range found
 * the file changed); 206 continues it, only from exactly where it ends; any other status fails
 * with IMAGE_DOWNLOAD_FAILED and its code.
 */
export function planBody(
  url: string,
  statusCode: number,
  headers: ResponseHeaders,
  partial: PartialDownload | undefined,
): BodyPlan {
  const location = header(headers, 'location')
  if (redirectStatuses.has(statusCode) && location !== undefined) {
    throw new RedirectedError(url, redirectTarget(url, location))
  }
  if (partial !== undefined && (statusCode === 206 || statusCode === 416)) {
    const range = contentRange.exec(header(headers, 'content-range') ?? '')
    const start = Number(range?.[1])
    if (statusCode === 416 || range === null || start !== partial.bytes) {
      throw new StalePartError(`GET ${url} from byte ${partial.bytes} answered ${statusCode}`)
    }
    const total = range[3] === '*' ? undefined : Number(range[3])
    return { start, totalBytes: total, record: undefined }
  }
  if (statusCode === 206 || !isSuccess(statusCode)) {
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} answered ${describeStatus(statusCode)}`,
      {
        status: statusCode,
      },
    )
  }
  return { start: 0, totalBytes: contentLength(headers), record: resumableRecord(url, headers) }
}

// Only http and https are followed, as fetch does.
function redirectTarget(from: string, location: string): string {
  const target = URL.canParse(location, from) ? new URL(location, from) : undefined
  if (target?.protocol !== 'http:' && target?.protocol !== 'https:') {
    throw new ImageError('IMAGE_DOWNLOAD_FAILED', from, `GET ${from} redirected to an unusable URL`)
  }
  return target.href
}
