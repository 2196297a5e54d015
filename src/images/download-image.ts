import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

import { describeError } from '../errors.js'
import type { DigestAlgorithm } from './checksum-file.js'
import { ImageChecksumMismatchError, ImageError } from './errors.js'
import { createHashingFileSink, type HashingFileSink } from './hashing-file-sink.js'
import { abortedError, describeRequestFailure, describeStatus, isSuccess } from './http-request.js'
import { createProgressMeter, type DownloadProgress } from './progress-meter.js'
import { socketRequest, type SocketResponse } from './socket-request.js'

// 16 MiB in flight between the threads: enough that none of them waits on another for long,
// in slots large enough that handing them over (a wake-up of another thread) costs little.
const slotBytes = 4 * 1024 * 1024
const slotCount = 4
// curl's write size: larger writes cost more in the kernel here (see createWriteWorker).
const writeBytes = 16 * 1024
// The final fsync then has at most this much to write, instead of the whole image at once.
const syncEveryBytes = 64 * 1024 * 1024
/** as long as undici's default headers and body timeouts */
const idleTimeoutMs = 300_000

export interface DownloadImageOptions {
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
  /** called with each piece's size as it arrives, for the store's byte counter */
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
  let response: SocketResponse | undefined
  let sink: HashingFileSink | undefined
  let closed = false
  try {
    response = await get(options)
    const answer = response
    const declared = answer.framing.kind === 'length' ? answer.framing.bytes : undefined
    const meter = createProgressMeter({
      totalBytes: declared ?? options.sizeHint,
      intervalMs: options.progressIntervalMs,
      now: options.now,
      emit: options.onProgress,
    })
    const target = (sink = createHashingFileSink({
      file,
      algorithm: options.algorithm,
      slotBytes,
      slotCount,
      writeBytes,
      syncEveryBytes,
      onDrain: () => {
        answer.resume()
      },
      // A write error (disk full) is ours, not the network's: the outer catch names the file.
      onFailure: (error) => {
        answer.close(error)
      },
    }))
    let received = 0
    try {
      await answer.readBody({
        take(bytes) {
          received += bytes.length
          options.onBytes(bytes.length)
          meter.add(bytes.length)
          return target.write(bytes)
        },
        space: () => target.space(),
      })
    } catch (error) {
      const failure = target.failure()
      if (signal.aborted || failure !== undefined) throw failure ?? error
      throw new ImageError(
        'IMAGE_DOWNLOAD_FAILED',
        url,
        `GET ${url} broke off after ${received} bytes: ${describeRequestFailure(error)}`,
        { cause: error },
      )
    }
    const result = await target.finish()
    if (declared !== undefined && result.bytes !== declared) {
      throw new ImageError(
        'IMAGE_DOWNLOAD_FAILED',
        url,
        `GET ${url} ended after ${result.bytes} of ${declared} bytes`,
      )
    }
    if (result.digest !== options.expectedDigest) {
      throw new ImageChecksumMismatchError(
        url,
        options.algorithm,
        options.expectedDigest,
        result.digest,
      )
    }
    await file.sync()
    closed = true
    await file.close()
    await rename(partPath, options.finalPath)
    await syncDirectory(dirname(options.finalPath))
    meter.finish()
    return result
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
    response?.close()
    // After a failure, the worker may still be writing to the file.
    await sink?.close()
    // The error being thrown matters more than one from closing a file about to be deleted.
    if (!closed) await file.close().catch(() => undefined)
    await rm(partPath, { force: true })
  }
}

async function get(options: DownloadImageOptions): Promise<SocketResponse> {
  const { url } = options
  let response: SocketResponse
  try {
    response = await socketRequest({
      method: 'GET',
      url,
      signal: options.signal,
      idleTimeoutMs,
    })
  } catch (error) {
    if (options.signal.aborted) throw error
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} failed: ${describeRequestFailure(error)}`,
      { cause: error },
    )
  }
  if (!isSuccess(response)) {
    response.close()
    throw new ImageError(
      'IMAGE_DOWNLOAD_FAILED',
      url,
      `GET ${url} answered ${describeStatus(response)}`,
      { status: response.statusCode },
    )
  }
  return response
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
