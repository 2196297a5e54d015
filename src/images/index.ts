export type { ImageUrlCheck } from './check-image-url.js'
export {
  lookupChecksum,
  parseChecksumFile,
  type ChecksumEntry,
  type ChecksumFile,
  type ChecksumLookup,
  type DigestAlgorithm,
} from './checksum-file.js'
export {
  ImageChecksumMismatchError,
  ImageError,
  imageErrorCodes,
  isImageError,
  type ImageErrorCode,
} from './errors.js'
export { upstreamRoots, type ImageLocation, type Mirrors } from './image-location.js'
export {
  createImageStore,
  type CheckImageOptions,
  type EnsuredImage,
  type EnsureImageOptions,
  type ImageStore,
  type ImageStoreLog,
  type ImageStoreOptions,
  type ImageStoreStats,
} from './image-store.js'
export {
  findRelease,
  osCatalog,
  osNames,
  versionsOf,
  type ChecksumFormat,
  type OsName,
  type OsRelease,
  type PackageFamily,
} from './os-catalog.js'
export type { DownloadProgress } from './progress-meter.js'
