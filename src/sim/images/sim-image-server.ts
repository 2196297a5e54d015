import { createServer, type ServerResponse } from 'node:http'
import { isIPv4 } from 'node:net'

import { osCatalog, type OsName, type OsRelease } from '../../images/os-catalog.js'
import { SimImageServerError } from './errors.js'
import { buildQcow2Image } from './qcow2-image.js'
import {
  buildSimImageFiles,
  simVirtualSize,
  simChecksumFile,
  simMirrorPath,
  type SimImageFiles,
} from './sim-image-files.js'

/** Faults the simulated image server can inject, for one release or all. */
export interface SimImageFaults {
  /** serve image bytes that differ (one byte) from what the checksum file lists */
  corruptImage?: boolean
  /** leave the image's own line out of the checksum file (its siblings stay) */
  missingChecksumEntry?: boolean
  /** send image bodies at about this many bytes per second */
  bytesPerSecond?: number
  /** answer 404 for the image, to HEAD and GET */
  imageNotFound?: boolean
  /** answer 404 for the checksum file */
  checksumNotFound?: boolean
}

export interface SimImageServerOptions {
  /** a loopback address; anything else is refused */
  host?: string
  /** 0 picks a free port */
  port?: number
  /** faults for every release from the start */
  faults?: SimImageFaults
  /** the releases to serve; the whole catalog by default */
  releases?: readonly OsRelease[]
}

export interface SimImageRequest {
  method: string
  path: string
}

export interface SimImageServer {
  /** `http://<host>:<port>` */
  url: string
  /** the directory URL of a release's image and checksum file, ending in `/` */
  baseUrlFor(release: OsRelease): string
  /** per OS, the root to hand the image store as its mirror */
  mirrors: Record<OsName, string>
  /** the image bytes served for a release when no fault is set */
  imageFor(release: OsRelease): Buffer
  /** publishes a new build of a release: new image bytes, new checksum, same URLs */
  publishNewBuild(release: OsRelease): void
  /** replaces the faults of one release, or of all when no release is given */
  setFaults(faults: SimImageFaults, release?: OsRelease): void
  /** every request so far, oldest first */
  requests(): readonly SimImageRequest[]
  close(): Promise<void>
}

/**
 * A loopback HTTP server that stands in for cloud.debian.org, cloud-images.ubuntu.com and
 * dl.rockylinux.org: for each release a tiny valid qcow2 image (256 KiB, the real virtual size)
 * and the checksum file in the distribution's format, at the paths the real hosts use, so that
 * `mirrors` plugs straight into the image store and the simulator installs with no internet.
 */
export async function startSimImageServer(
  options: SimImageServerOptions = {},
): Promise<SimImageServer> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopback(host)) {
    throw new SimImageServerError(
      `the simulated image server listens on loopback only, not ${host}`,
    )
  }
  const releases = options.releases ?? osCatalog
  const files = releases.map(buildSimImageFiles)
  const byPath = new Map<string, { files: SimImageFiles; kind: 'image' | 'checksum' }>()
  for (const entry of files) {
    byPath.set(entry.imagePath, { files: entry, kind: 'image' })
    byPath.set(entry.checksumPath, { files: entry, kind: 'checksum' })
  }
  let globalFaults = checkFaults(options.faults ?? {})
  const releaseFaults = new Map<string, SimImageFaults>()
  const faultsOf = (release: OsRelease): SimImageFaults =>
    releaseFaults.get(keyOf(release)) ?? globalFaults
  const log: SimImageRequest[] = []
  const builds = new Map<string, number>()

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET'
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    log.push({ method, path })
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const target = byPath.get(path)
    if (target === undefined) {
      notFound(response)
      return
    }
    const faults = faultsOf(target.files.release)
    if (target.kind === 'checksum') {
      if (faults.checksumNotFound === true) {
        notFound(response)
        return
      }
      const text = simChecksumFile(target.files, faults.missingChecksumEntry === true)
      send(response, method, Buffer.from(text), 'text/plain; charset=utf-8', undefined)
      return
    }
    if (faults.imageNotFound === true) {
      notFound(response)
      return
    }
    const image = faults.corruptImage === true ? corrupt(target.files.image) : target.files.image
    send(response, method, image, 'application/octet-stream', faults.bytesPerSecond)
  })
  await listen(server, host, options.port ?? 0)
  const address = server.address()
  if (address === null || typeof address === 'string') {
    throw new SimImageServerError('the simulated image server has no TCP address')
  }
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
  const findFiles = (release: OsRelease): SimImageFiles => {
    const found = files.find((entry) => keyOf(entry.release) === keyOf(release))
    if (found === undefined) {
      throw new SimImageServerError(`the simulated image server does not serve ${keyOf(release)}`)
    }
    return found
  }

  return {
    url: origin,
    baseUrlFor: (release) => `${origin}${findFiles(release).directory}`,
    mirrors: {
      debian: `${origin}${simMirrorPath('debian')}`,
      ubuntu: `${origin}${simMirrorPath('ubuntu')}`,
      rockylinux: `${origin}${simMirrorPath('rockylinux')}`,
    },
    imageFor: (release) => Buffer.from(findFiles(release).image),
    publishNewBuild(release) {
      const entry = findFiles(release)
      builds.set(keyOf(release), (builds.get(keyOf(release)) ?? 1) + 1)
      entry.image = buildQcow2Image(
        simVirtualSize(release),
        `pve-qemu simulated cloud image: ${release.os} ${release.version} build ${builds.get(keyOf(release)) ?? 2}`,
      )
    },
    setFaults(faults, release) {
      const checked = checkFaults(faults)
      if (release === undefined) {
        globalFaults = checked
        releaseFaults.clear()
      } else {
        releaseFaults.set(keyOf(findFiles(release).release), checked)
      }
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

function keyOf(release: OsRelease): string {
  return `${release.os} ${release.version}`
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'))
}

function checkFaults(faults: SimImageFaults): SimImageFaults {
  const rate = faults.bytesPerSecond
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 1)) {
    throw new SimImageServerError(`bytesPerSecond must be a whole number ≥ 1, got ${rate}`)
  }
  return { ...faults }
}

// Same length, one byte flipped past the header: still looks like qcow2, fails the digest.
function corrupt(image: Buffer): Buffer {
  const copy = Buffer.from(image)
  const at = Math.min(copy.length - 1, 4096)
  copy[at] = (copy[at] ?? 0) ^ 0xff
  return copy
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain' }).end('404 Not Found\n')
}

function send(
  response: ServerResponse,
  method: string,
  body: Buffer,
  contentType: string,
  bytesPerSecond: number | undefined,
): void {
  response.writeHead(200, { 'content-type': contentType, 'content-length': body.length })
  if (method === 'HEAD') {
    response.end()
    return
  }
  if (bytesPerSecond === undefined) {
    response.end(body)
    return
  }
  sendThrottled(response, body, bytesPerSecond)
}

const tickMs = 100

function sendThrottled(response: ServerResponse, body: Buffer, bytesPerSecond: number): void {
  const slice = Math.max(1, Math.ceil((bytesPerSecond * tickMs) / 1000))
  let offset = 0
  let timer: NodeJS.Timeout | undefined
  response.on('close', () => {
    clearTimeout(timer)
  })
  const tick = (): void => {
    if (response.destroyed) return
    const end = Math.min(body.length, offset + slice)
    const chunk = body.subarray(offset, end)
    offset = end
    if (offset >= body.length) {
      response.end(chunk)
      return
    }
    response.write(chunk)
    timer = setTimeout(tick, tickMs)
  }
  tick()
}

function listen(
  server: ReturnType<typeof createServer>,
  host: string,
  port: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
