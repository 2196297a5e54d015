import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

import { planBody, RedirectedError, StalePartError } from './body-plan.js'
import type { DigestAlgorithm } from './checksum-file.js'
import { ImageChecksumMismatchError, ImageError, isImageError } from './errors.js'
import { HashingFileWriter } from './hashing-file-writer.js'
import { maxRedirects, type ImageHttpClient } from './http-client.js'
import {
  abortedError,
  describeRequestFailure,
  requestHeaders,
  requestTarget,
} from './http-request.js'
import {
  partPaths,
  readPartial,
  removePart,
  writeRecord,
  type PartialDownload,
  type PartPaths,
} from './partial-download.js'
import { createProgressMeter, type DownloadProgress, type ProgressMeter } from './progress-meter.js'

// Each write goes out while its bytes are still in the CPU cache from the socket read and the
// hash: the kernel's copy into the page cache then costs a tenth of what it costs for a batch
// gathered over megabytes (bench/download.ts: 1 MiB writes queued up to 8 MiB spent more CPU in
// that copy than curl spends on the whole download). So: write per socket read (64 KiB), and
// while a write is under way let at most a few reads wait behind it.
const writerHighWaterMark = 256 * 1024
const writeBytes = 64 * 1024
// The final fsync then has at most this much to write, instead of the whole image at once.
const syncEveryBytes = 64 * 1024 * 1024
/** as long as undici's default headers and body timeouts */
const idleTimeoutMs = 300_000

export interface DownloadImageOptions {
  url: string
  http: ImageHttpClient
  /** where the verified file ends up; the bytes go to `<finalPath>.part` until then */
  finalPath: string
  algorithm: DigestAlgorithm
  expectedDigest: string
  /** the size the checksum file gives, for progress when the server sends no Content-Length */
  sizeHint?: number | undefined
  signal: AbortSignal
  progressIntervalMs: number
  now: () => number
  onProgress: (progress: DownloadProgress) => void
  /** called with the size of each batch as it arrives, for the store's byte counter */
  onBytes: (bytes: number) => void
}

/**
 * Streams `url` into `<finalPath>.part`, hashing while writing, then checks the digest, syncs,
 * and renames it over `finalPath`; `finalPath` is never touched before that.
 *
 * A `.part` that a server able to resume left behind after a broken connection is continued
 * with a Range request, when it comes from the same URL and the server's ETag still matches
 * (If-Range); a resumed file that fails verification is downloaded once more from the start.
 * A failed disk write (IMAGE_WRITE_FAILED), a checksum mismatch, a cancellation, or a broken
 * download the server cannot resume delete the `.part`.
 */
export async function downloadImage(
  options: DownloadImageOptions,
): Promise<{ bytes: number; digest: string }> {
  const paths = partPaths(options.finalPath)
  const partial = await readPartial(paths, options.url, options.algorithm, options.signal).catch(
    async () => {
      if (options.signal.aborted) throw abortedError('download of', options.url, options.signal)
      // An unreadable .part is only a lost head start; the download overwrites it.
      return undefined
    },
  )
  try {
    return await attempt(options, paths, partial)
  } catch (error) {
    const stale =
      error instanceof StalePartError ||
      (partial !== undefined && isImageError(error, 'IMAGE_CHECKSUM_MISMATCH'))
    if (!stale) throw error
    await removePart(paths)
    return attempt(options, paths, undefined)
  }
}

async function attempt(
  options: DownloadImageOptions,
  paths: PartPaths,
  partial: PartialDownload | undefined,
): Promise<{ bytes: number; digest: string }> {
  const { url, signal } = options
  const headers: Record<string, string> = { ...requestHeaders }
  if (partial !== undefined) {
    headers.range = `bytes=${partial.bytes}-`
    headers['if-range'] = partial.etag
  }
  let writer: HashingFileWriter | undefined
  let meter: ProgressMeter | undefined
  let totalBytes: number | undefined
  let resumable = partial !== undefined
  let received = 0
  const dispatcher = await options.http.direct()
  for (let target = url, hops = 0; ; hops += 1) {
    try {
      await dispatcher.stream(
        {
          ...requestTarget(target),
          method: 'GET',
          headers,
          signal,
          headersTimeout: idleTimeoutMs,
          bodyTimeout: idleTimeoutMs,
        },
        ({ statusCode, headers: answer }) => {
          const plan = planBody(target, statusCode, answer, partial)
          const { record } = plan
          totalBytes = plan.totalBytes
          if (plan.start === 0) resumable = record !== undefined
          const progress = createProgressMeter({
            totalBytes: totalBytes ?? options.sizeHint,
            startBytes: plan.start,
            intervalMs: options.progressIntervalMs,
            now: options.now,
            emit: options.onProgress,
          })
          meter = progress
          writer = new HashingFileWriter({
            path: paths.part,
            start: plan.start,
            hash:
              plan.start > 0 && partial !== undefined
                ? partial.hash
                : createHash(options.algorithm),
            highWaterMark: writerHighWaterMark,
            writeBytes,
            syncEveryBytes,
            // The record goes first: a .part on disk always says where its bytes come from.
            prepare: () =>
              plan.start > 0
                ? Promise.resolve()
                : record === undefined
                  ? rm(paths.record, { force: true })
                  : writeRecord(paths, record),
            onBytes: (bytes) => {
              received += bytes
              options.onBytes(bytes)
              progress.add(bytes)
            },
          })
          // Its errors reach us through undici's rejection and diskFailure().
          writer.on('error', () => undefined)
          return writer
        },
      )
      break
    } catch (error) {
      if (error instanceof RedirectedError && hops < maxRedirects) {
        target = error.location
        continue
      }
      const cause =
        error instanceof RedirectedError
          ? new ImageError(
              'IMAGE_DOWNLOAD_FAILED',
              url,
              `GET ${url}: more than ${maxRedirects} redirects`,
            )
          : error
      throw await failure(cause, { options, paths, partial, writer, resumable, received })
    }
  }
  if (writer === undefined || meter === undefined) throw new Error(`GET ${url} gave no body`)
  await closed(writer)
  const bytes = writer.bytes
  if (totalBytes !== undefined && bytes !== totalBytes) {
    await removePart(paths)
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} ended after ${bytes} of ${totalBytes} bytes`,
    )
  }
  const digest = writer.digest()
  if (digest !== options.expectedDigest) {
    await removePart(paths)
    throw new ImageChecksumMismatchError(url, options.algorithm, options.expectedDigest, digest)
  }
  await rename(paths.part, options.finalPath)
  await rm(paths.record, { force: true })
  await syncDirectory(dirname(options.finalPath))
  meter.finish()
  return { bytes, digest }
}

interface FailedAttempt {
  options: DownloadImageOptions
  paths: PartPaths
  partial: PartialDownload | undefined
  writer: HashingFileWriter | undefined
  resumable: boolean
  received: number
}

/**
 * The error for an attempt that failed, once the `.part` is closed and kept or deleted: the
 * caller's cancellation, the disk's failure, the server's status, or a broken download.
 */
async function failure(error: unknown, attempt: FailedAttempt): Promise<Error> {
  const { options, paths, writer } = attempt
  const { url, signal } = options
  if (writer !== undefined) {
    writer.destroy()
    await closed(writer)
  }
  if (signal.aborted) {
    await removePart(paths)
    return abortedError('download of', url, signal)
  }
  const disk = writer?.diskFailure()
  if (disk !== undefined) {
    await removePart(paths)
    return new ImageError(
      'IMAGE_WRITE_FAILED',
      url,
      `writing ${url} to ${paths.part} failed: ${describeRequestFailure(disk)}`,
      { cause: disk },
    )
  }
  // A status refused before any byte was written leaves an earlier .part as it was.
  if (error instanceof ImageError || error instanceof StalePartError) return error
  const kept = attempt.resumable && writer !== undefined
  if (!kept) await removePart(paths)
  const what =
    writer === undefined
      ? `GET ${url} failed`
      : `GET ${url} broke off after ${attempt.received} bytes`
  const resume = kept ? `; the ${writer.bytes} bytes received are kept to resume from` : ''
  return new ImageError(
    'IMAGE_DOWNLOAD_FAILED',
    url,
    `${what}: ${describeRequestFailure(error)}${resume}`,
    { cause: error },
  )
}

async function closed(writer: HashingFileWriter): Promise<void> {
  if (!writer.closed) await once(writer, 'close')
}

// The rename is only durable once the directory entry is on disk too. Some file systems refuse
// fsync on a directory; the file itself is synced by then, so that refusal is not a failure.
async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r')
  try {
    await directory.sync().catch(() => undefined)
  } finally {
    await directory.close()
  }
}
