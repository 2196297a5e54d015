import { createHash } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

import { describeError } from '../errors.js'
import type { DigestAlgorithm } from './checksum-file.js'
import { ImageChecksumMismatchError, ImageError } from './errors.js'
import {
  abortedError,
  contentLength,
  describeFetchFailure,
  describeStatus,
  requestHeaders,
  type FetchFunction,
} from './http-request.js'
import { createBatchedWriter } from './batched-writer.js'
import { createProgressMeter, type DownloadProgress } from './progress-meter.js'

const writeBatchBytes = 1024 * 1024

export interface DownloadImageOptions {
  fetch: FetchFunction
  url: string
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
  /** called with each chunk's size as it arrives, for the store's byte counter */
  onBytes: (bytes: number) => void
}

/**
 * Streams `url` into a fresh `<finalPath>.part`, hashing while writing, then checks the digest,
 * syncs, and renames it over `finalPath`. On any failure (bad status, short body, mismatch,
 * abort, disk error) the `.part` is deleted and `finalPath` is left as it was.
 */
export async function downloadImage(
  options: DownloadImageOptions,
): Promise<{ bytes: number; digest: string }> {
  const { url, signal } = options
  const partPath = `${options.finalPath}.part`
  // A .part left by a crash may hold anything: never resume from it.
  await rm(partPath, { force: true })
  const file = await open(partPath, 'wx')
  let closed = false
  let received = 0
  try {
    const response = await get(options)
    const declared = contentLength(response)
    const meter = createProgressMeter({
      totalBytes: declared ?? options.sizeHint,
      intervalMs: options.progressIntervalMs,
      now: options.now,
      emit: options.onProgress,
    })
    const hash = createHash(options.algorithm)
    const writer = createBatchedWriter(file, partPath, writeBatchBytes)
    const chunks = bodyOf(response, url)[Symbol.asyncIterator]()
    try {
      for (;;) {
        const next = await nextChunk(chunks, url, received, signal)
        if (next.done === true) break
        hash.update(next.value)
        // A write error (disk full) is ours, not the network's: the outer catch names the file.
        await writer.write(next.value)
        received += next.value.byteLength
        options.onBytes(next.value.byteLength)
        meter.add(next.value.byteLength)
      }
    } finally {
      // Stops the body (and frees the socket) when the loop ended early.
      await chunks.return?.()
    }
    await writer.flush()
    if (declared !== undefined && received !== declared) {
      throw new ImageError(
        'IMAGE_DOWNLOAD_FAILED',
        url,
        `GET ${url} ended after ${received} of ${declared} bytes`,
      )
    }
    const digest = hash.digest('hex')
    if (digest !== options.expectedDigest) {
      throw new ImageChecksumMismatchError(url, options.algorithm, options.expectedDigest, digest)
    }
    await file.sync()
    closed = true
    await file.close()
    await rename(partPath, options.finalPath)
    await syncDirectory(dirname(options.finalPath))
    meter.finish()
    return { bytes: received, digest }
  } catch (error) {
    if (signal.aborted) throw abortedError('download of', url, signal)
    if (error instanceof ImageError) throw error
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `saving ${url} to ${partPath} failed: ${describeError(error)}`,
      { cause: error },
    )
  } finally {
    // The error being thrown matters more than one from closing a file about to be deleted.
    if (!closed) await file.close().catch(() => undefined)
    await rm(partPath, { force: true })
  }
}

async function get(options: DownloadImageOptions): Promise<Response> {
  const { url } = options
  let response: Response
  try {
    response = await options.fetch(url, {
      redirect: 'follow',
      headers: requestHeaders,
      signal: options.signal,
    })
  } catch (error) {
    if (options.signal.aborted) throw error
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} failed: ${describeFetchFailure(error)}`,
      {
        cause: error,
      },
    )
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} answered ${describeStatus(response)}`,
      {
        status: response.status,
      },
    )
  }
  return response
}

async function nextChunk(
  chunks: AsyncIterator<Uint8Array>,
  url: string,
  received: number,
  signal: AbortSignal,
): Promise<IteratorResult<Uint8Array>> {
  try {
    return await chunks.next()
  } catch (error) {
    if (signal.aborted) throw error
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} broke off after ${received} bytes: ${describeFetchFailure(error)}`,
      { cause: error },
    )
  }
}

function bodyOf(response: Response, url: string): AsyncIterable<Uint8Array> {
  if (response.body === null) {
    throw new ImageError('IMAGE_DOWNLOAD_FAILED', url, `GET ${url} answered without a body`)
  }
  return response.body
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
