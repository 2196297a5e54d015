import { mkdir } from 'node:fs/promises'

import { describeError } from '../errors.js'
import { checkImageUrl, type ImageUrlCheck } from './check-image-url.js'
import { downloadImage } from './download-image.js'
import { fetchChecksum } from './fetch-checksum.js'
import { hashFile } from './hash-file.js'
import { createImageHttpClient, type ProxySettings } from './http-client.js'
import { abortedError } from './http-request.js'
import {
  locateImage,
  normalizeMirrors,
  type ImageLocation,
  type Mirrors,
} from './image-location.js'
import type { OsRelease } from './os-catalog.js'
import type { DownloadProgress } from './progress-meter.js'
import { createSingleFlight } from './single-flight.js'

/** The few pino methods the store logs with. */
export interface ImageStoreLog {
  debug(object: object, message: string): void
  info(object: object, message: string): void
  warn(object: object, message: string): void
}

export interface ImageStoreOptions {
  /** directory that holds verified images and, while downloading, their `.part` files */
  imageDir: string
  log: ImageStoreLog
  /** least time between two progress reports of one download */
  progressIntervalMs?: number
  /** time the HEAD check may take */
  headTimeoutMs?: number
  /** time fetching a checksum file may take */
  checksumTimeoutMs?: number
  /** per OS, a URL that replaces the upstream root of the catalog's URLs (see upstreamRoots) */
  mirrors?: Mirrors
  /** milliseconds, monotonic; injectable so tests of progress need no real time */
  now?: () => number
  /** HTTP(S) proxies for every request of the store (from the config's proxy section) */
  proxy?: ProxySettings
}

export interface CheckImageOptions {
  signal?: AbortSignal
}

export interface EnsureImageOptions {
  signal?: AbortSignal
  /** download progress; also called when this caller shares another caller's download */
  onProgress?: (progress: DownloadProgress) => void
}

/** A verified image in the image directory. */
export interface EnsuredImage {
  path: string
  /** false when the file already there matched the current checksum */
  downloaded: boolean
  bytes: number
  /** hex digest of the file, in the release's checksum algorithm */
  sha: string
}

export interface ImageStoreStats {
  /** ensure calls answered by a file already in place that matched the checksum */
  cacheHits: number
  /** ensure calls that had to download */
  cacheMisses: number
  /** ensure calls that joined work another call had already started */
  sharedWaits: number
  /** bytes received from image downloads, failed ones included */
  bytesDownloaded: number
}

export interface ImageStore {
  /** the image URL, checksum URL and local path of a release, mirrors applied */
  resolve(release: OsRelease): ImageLocation
  /** HEAD on the image URL (redirects followed); throws IMAGE_URL_UNREACHABLE */
  check(release: OsRelease, options?: CheckImageOptions): Promise<ImageUrlCheck>
  /** a verified local copy of the release's image, downloaded only when needed */
  ensure(release: OsRelease, options?: EnsureImageOptions): Promise<EnsuredImage>
  stats(): ImageStoreStats
  /**
   * Read-only: does the cache hold a copy matching the fresh checksum file? Its digest and size
   * (the checksum file's, else a HEAD's). Downloads nothing (a dry-run plan asks).
   */
  inspect(
    release: OsRelease,
    options?: CheckImageOptions,
  ): Promise<{ cached: boolean; sha: string; bytes: number | undefined; path: string }>
  /** closes idle connections; call once nothing uses the store any more */
  close(): Promise<void>
}

const defaultProgressIntervalMs = 1000
const defaultHeadTimeoutMs = 10_000
const defaultChecksumTimeoutMs = 30_000
const maxChecksumFileBytes = 4 * 1024 * 1024

/**
 * The image store: checks image URLs, and keeps one verified copy of each image in `imageDir`.
 * The checksum file is fetched on every `ensure`, since upstream files change under the same
 * URL; a copy on disk is used only when it matches that fresh digest.
 *
 * @example
 * const store = createImageStore({ imageDir: '/var/lib/pve-qemu/images', log })
 * const image = await store.ensure(findRelease('debian', '12'), { signal, onProgress })
 */
export function createImageStore(options: ImageStoreOptions): ImageStore {
  const mirrors = normalizeMirrors(options.mirrors ?? {})
  const now = options.now ?? (() => performance.now())
  const progressIntervalMs = options.progressIntervalMs ?? defaultProgressIntervalMs
  const counters: ImageStoreStats = {
    cacheHits: 0,
    cacheMisses: 0,
    sharedWaits: 0,
    bytesDownloaded: 0,
  }
  const { log } = options
  const http = createImageHttpClient(options.proxy)

  const flights = createSingleFlight<EnsuredImage, DownloadProgress>({
    abortedError: (path, signal) => abortedError('getting image', path, signal),
    onListenerError: (error) => {
      log.warn({ err: describeError(error) }, 'image progress listener failed')
    },
  })

  const resolve = (release: OsRelease): ImageLocation =>
    locateImage(release, options.imageDir, mirrors)

  const fetchAndVerify = async (
    release: OsRelease,
    location: ImageLocation,
    signal: AbortSignal,
    emit: (progress: DownloadProgress) => void,
  ): Promise<EnsuredImage> => {
    const algorithm = release.checksumAlgorithm
    const expected = await fetchChecksum({
      checksumUrl: location.checksumUrl,
      http,
      fileName: release.imageFile,
      algorithm,
      timeoutMs: options.checksumTimeoutMs ?? defaultChecksumTimeoutMs,
      maxBytes: maxChecksumFileBytes,
      signal,
    })
    const context = { os: release.os, version: release.version, path: location.localPath }
    const cached = await hashFile(location.localPath, algorithm, signal)
    if (cached?.digest === expected.digest) {
      counters.cacheHits += 1
      log.info(context, 'image in cache matches its checksum')
      return {
        path: location.localPath,
        downloaded: false,
        bytes: cached.bytes,
        sha: cached.digest,
      }
    }
    if (cached !== undefined)
      log.info(context, 'image in cache differs from its checksum, downloading again')
    counters.cacheMisses += 1
    await mkdir(options.imageDir, { recursive: true })
    log.info({ ...context, url: location.imageUrl }, 'image download started')
    const result = await downloadImage({
      url: location.imageUrl,
      http,
      finalPath: location.localPath,
      algorithm,
      expectedDigest: expected.digest,
      sizeHint: expected.sizeBytes,
      signal,
      progressIntervalMs,
      now,
      onProgress: emit,
      onBytes: (bytes) => {
        counters.bytesDownloaded += bytes
      },
    })
    log.info({ ...context, bytes: result.bytes }, 'image downloaded and verified')
    return { path: location.localPath, downloaded: true, bytes: result.bytes, sha: result.digest }
  }

  return {
    resolve,
    check(release, checkOptions = {}) {
      return checkImageUrl({
        url: resolve(release).imageUrl,
        http,
        timeoutMs: options.headTimeoutMs ?? defaultHeadTimeoutMs,
        signal: checkOptions.signal,
      })
    },
    async ensure(release, ensureOptions = {}) {
      const location = resolve(release)
      try {
        return await flights.run(
          location.localPath,
          (signal, emit) => fetchAndVerify(release, location, signal, emit),
          {
            signal: ensureOptions.signal,
            onProgress: ensureOptions.onProgress,
            onJoin: (joined) => {
              if (joined) counters.sharedWaits += 1
            },
          },
        )
      } catch (error) {
        log.warn(
          { os: release.os, version: release.version, err: describeError(error) },
          'image not ready',
        )
        throw error
      }
    },
    stats() {
      return { ...counters }
    },
    async inspect(release, inspectOptions = {}) {
      const location = resolve(release)
      const expected = await fetchChecksum({
        checksumUrl: location.checksumUrl,
        http,
        fileName: release.imageFile,
        algorithm: release.checksumAlgorithm,
        timeoutMs: options.checksumTimeoutMs ?? defaultChecksumTimeoutMs,
        maxBytes: maxChecksumFileBytes,
        signal: inspectOptions.signal,
      })
      const held = await hashFile(
        location.localPath,
        release.checksumAlgorithm,
        inspectOptions.signal,
      )
      const cached = held?.digest === expected.digest
      const bytes = cached ? held.bytes : expected.sizeBytes
      return { cached, sha: expected.digest, bytes, path: location.localPath }
    },
    close: () => http.close(),
  }
}
