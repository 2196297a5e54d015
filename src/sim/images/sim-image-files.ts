import { upstreamRoots } from '../../images/image-location.js'
import type { OsRelease } from '../../images/os-catalog.js'
import { buildQcow2Image } from './qcow2-image.js'
import { buildChecksumFile } from './sim-checksum-file.js'

const GiB = 1024n ** 3n

// The virtual sizes of the real images (cloud-images.md §3), so an imported disk starts at the
// size a real one would.
const virtualSizes = new Map<string, bigint>([
  ['debian 11', 2n * GiB],
  ['debian 12', 2n * GiB],
  ['debian 13', 3n * GiB],
  ['ubuntu 20.04', 2n * GiB],
  ['ubuntu 22.04', 2n * GiB],
  ['ubuntu 24.04', 3758096384n],
  ['rockylinux 8', 10n * GiB],
  ['rockylinux 9', 10n * GiB],
  ['rockylinux 10', 10n * GiB],
])

/** The virtual size of the simulator's image of `release`, in bytes. */
export function simVirtualSize(release: OsRelease): bigint {
  const known = virtualSizes.get(`${release.os} ${release.version}`)
  if (known !== undefined) return known
  return release.os === 'rockylinux' ? 10n * GiB : 3n * GiB
}

/** One release as the simulator serves it. */
export interface SimImageFiles {
  release: OsRelease
  /** URL path of the directory, shaped like the real host's (`/images/cloud/bookworm/latest/`) */
  directory: string
  imagePath: string
  checksumPath: string
  image: Buffer
}

/** The release's files at the same paths below the sim's root as upstream has them. */
export function buildSimImageFiles(release: OsRelease): SimImageFiles {
  const directory = new URL(release.baseUrl).pathname
  const image = buildQcow2Image(
    simVirtualSize(release),
    `pve-qemu simulated cloud image: ${release.os} ${release.version}`,
  )
  return {
    release,
    directory,
    imagePath: `${directory}${release.imageFile}`,
    checksumPath: `${directory}${release.checksumFile}`,
    image,
  }
}

/** The checksum file for `files`, with or without the image's own line. */
export function simChecksumFile(files: SimImageFiles, omitImage: boolean): string {
  return buildChecksumFile(files.release, files.image, { omitImage })
}

/** The URL path a mirror of `os` is rooted at on the sim (`/releases/` for Ubuntu). */
export function simMirrorPath(os: OsRelease['os']): string {
  return new URL(upstreamRoots[os]).pathname
}
