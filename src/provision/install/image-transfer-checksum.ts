import { ImageError, lookupChecksum, type ImageLocation } from '../../images/index.js'
import type { OsRelease } from '../../images/os-catalog.js'
import type { ImageSource } from './image-transfer-download-url.js'

export interface PublishedImageSourceOptions {
  /** the image store's view of a release: URLs with mirrors applied */
  resolve(release: OsRelease): ImageLocation
  fetch?: typeof fetch
}

/** A checksum file is a few KiB; anything much larger is not one. */
const maxChecksumBytes = 4 * 1024 * 1024

/**
 * Image URLs and digests as the distributions publish them (mirrors applied): what a node needs
 * to download an image itself and verify it, without the service downloading it first.
 */
export function createPublishedImageSource(options: PublishedImageSourceOptions): ImageSource {
  const fetchFn = options.fetch ?? globalThis.fetch
  return {
    url: (release) => options.resolve(release).imageUrl,
    async checksum(release, signal) {
      const url = options.resolve(release).checksumUrl
      let text: string
      try {
        const response = await fetchFn(url, { redirect: 'follow', signal })
        if (!response.ok) {
          await response.body?.cancel()
          throw new ImageError(
            'IMAGE_CHECKSUM_UNAVAILABLE',
            url,
            `GET ${url} answered ${response.status}; the image cannot be verified`,
            { status: response.status },
          )
        }
        text = await response.text()
      } catch (error) {
        if (error instanceof ImageError) throw error
        throw new ImageError(
          'IMAGE_CHECKSUM_UNAVAILABLE',
          url,
          `GET ${url} failed: ${error instanceof Error ? error.message : String(error)}; the image cannot be verified`,
          { cause: error },
        )
      }
      if (text.length > maxChecksumBytes) {
        throw new ImageError('IMAGE_CHECKSUM_UNAVAILABLE', url, `${url} is not a checksum file`)
      }
      const found = lookupChecksum(text, release.imageFile, release.checksumAlgorithm)
      if (!found.found)
        throw new ImageError('IMAGE_CHECKSUM_NOT_LISTED', url, `${url}: ${found.reason}`)
      return { algorithm: release.checksumAlgorithm, digest: found.digest }
    },
  }
}
