import { join } from 'node:path'

import { ImageError } from './errors.js'
import type { OsName, OsRelease } from './os-catalog.js'

/** Where one release's image comes from and where the store keeps it. */
export interface ImageLocation {
  imageUrl: string
  checksumUrl: string
  /** the verified image in the image directory (its download goes to `<localPath>.part`) */
  localPath: string
}

/**
 * The part of each OS's catalog URLs that a mirror replaces; the rest (codename or version
 * directories) is the same layout on every mirror of that distribution, e.g. a Ubuntu mirror
 * `https://mirror.example/ubuntu-cloud-images/releases/` serves `jammy/release/…` below it.
 */
export const upstreamRoots: Readonly<Record<OsName, string>> = {
  debian: 'https://cloud.debian.org/images/cloud/',
  ubuntu: 'https://cloud-images.ubuntu.com/releases/',
  rockylinux: 'https://dl.rockylinux.org/pub/rocky/',
}

export type Mirrors = Partial<Record<OsName, string>>

const mirrorableOs: readonly OsName[] = ['debian', 'ubuntu', 'rockylinux']

/**
 * Checks mirror URLs once, up front: http or https, no credentials (fetch refuses them and they
 * would show up in messages), and a trailing slash added so paths join below it.
 */
export function normalizeMirrors(mirrors: Mirrors): Mirrors {
  const normalized: Mirrors = {}
  for (const os of mirrorableOs) {
    const raw = mirrors[os]
    if (raw === undefined) continue
    let url: URL
    try {
      url = new URL(raw)
    } catch (error) {
      throw new ImageError('IMAGE_INVALID_SOURCE', raw, `mirror for ${os} is not a URL: "${raw}"`, {
        cause: error,
      })
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw invalidMirror(os, raw, 'must start with http:// or https://')
    }
    if (url.username !== '' || url.password !== '') {
      throw invalidMirror(os, url.host, 'must not hold a user name or password')
    }
    if (url.search !== '' || url.hash !== '') {
      throw invalidMirror(os, raw, 'must not have a query or fragment')
    }
    normalized[os] = url.href.endsWith('/') ? url.href : `${url.href}/`
  }
  return normalized
}

function invalidMirror(os: string, shown: string, problem: string): ImageError {
  return new ImageError('IMAGE_INVALID_SOURCE', shown, `mirror for ${os} ${problem}: "${shown}"`)
}

// File names land in a local path and in a URL: a plain name, never a path or a dot file.
const plainFileName = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

/** The URLs and local path of `release`, with the OS's mirror in place of its upstream root. */
export function locateImage(release: OsRelease, imageDir: string, mirrors: Mirrors): ImageLocation {
  for (const name of [release.imageFile, release.checksumFile]) {
    if (!plainFileName.test(name)) {
      throw new ImageError(
        'IMAGE_INVALID_SOURCE',
        release.baseUrl,
        `${release.os} ${release.version}: "${name}" is not a plain file name`,
      )
    }
  }
  const baseUrl = mirroredBaseUrl(release, mirrors[release.os])
  return {
    imageUrl: new URL(release.imageFile, baseUrl).href,
    checksumUrl: new URL(release.checksumFile, baseUrl).href,
    localPath: join(imageDir, release.imageFile),
  }
}

function mirroredBaseUrl(release: OsRelease, mirror: string | undefined): string {
  if (mirror === undefined) return release.baseUrl
  const root = upstreamRoots[release.os]
  if (!release.baseUrl.startsWith(root)) {
    throw new ImageError(
      'IMAGE_INVALID_SOURCE',
      release.baseUrl,
      `${release.os} ${release.version}: catalog URL ${release.baseUrl} is not below ${root}, so the mirror cannot replace it`,
    )
  }
  return mirror + release.baseUrl.slice(root.length)
}
