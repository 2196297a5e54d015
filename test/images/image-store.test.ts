import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  createImageStore,
  findRelease,
  isImageError,
  type DownloadProgress,
  type ImageStoreLog,
  type ImageStoreOptions,
  type OsRelease,
} from '../../src/images/index.js'
import { makeTempDir } from '../exec/temp-dir.js'
import { startTestFileServer, type TestFileServer } from './test-file-server.js'

const log: ImageStoreLog = pino({ level: 'silent' })

function release(os: string, version: string): OsRelease {
  const found = findRelease(os, version)
  if (found === undefined) throw new Error(`no ${os} ${version} in the catalog`)
  return found
}

const debian12 = release('debian', '12')
const ubuntu2204 = release('ubuntu', '22.04')
const rocky9 = release('rockylinux', '9')

// Paths below each mirror root, as the catalog's URLs have them below the upstream roots.
const debianImage = '/debian/bookworm/latest/debian-12-genericcloud-amd64.qcow2'
const debianSums = '/debian/bookworm/latest/SHA512SUMS'
const ubuntuImage = '/ubuntu/jammy/release/ubuntu-22.04-server-cloudimg-amd64.img'
const ubuntuSums = '/ubuntu/jammy/release/SHA256SUMS'
const rockyImage = '/rocky/9/images/x86_64/Rocky-9-GenericCloud-Base.latest.x86_64.qcow2'
const rockySums = '/rocky/9/images/x86_64/CHECKSUM'

const sha512 = (data: Buffer): string => createHash('sha512').update(data).digest('hex')
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

let server: TestFileServer
let temp: { dir: string; remove: () => void }

beforeEach(async () => {
  server = await startTestFileServer()
  temp = makeTempDir('pve-qemu-images-')
})

afterEach(async () => {
  await server.close()
  temp.remove()
})

function store(overrides: Partial<ImageStoreOptions> = {}) {
  return createImageStore({
    imageDir: temp.dir,
    log,
    mirrors: {
      debian: `${server.baseUrl}/debian/`,
      ubuntu: `${server.baseUrl}/ubuntu/`,
      rockylinux: `${server.baseUrl}/rocky/`,
    },
    ...overrides,
  })
}

/** Serves `image` as Debian 12 with a SHA512SUMS that lists it (plus decoys). */
function serveDebian(image: Buffer, listed: Buffer = image): void {
  server.routes.set(debianImage, { kind: 'file', body: image })
  const sums = [
    `${sha512(Buffer.from('other'))}  debian-12-genericcloud-amd64.json`,
    `${sha512(listed)}  debian-12-genericcloud-amd64.qcow2`,
    `${sha512(Buffer.from('raw'))}  debian-12-genericcloud-amd64.raw`,
  ].join('\n')
  server.routes.set(debianSums, { kind: 'file', body: Buffer.from(`${sums}\n`) })
}

function leftovers(): string[] {
  return readdirSync(temp.dir)
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (isImageError(error)) return error.code
    throw error
  }
  throw new Error('expected a rejection')
}

describe('resolve', () => {
  it('gives the official URLs and a local name with os and version when no mirror is set', () => {
    const location = createImageStore({ imageDir: '/srv/images', log }).resolve(ubuntu2204)
    expect(location).toEqual({
      imageUrl:
        'https://cloud-images.ubuntu.com/releases/jammy/release/ubuntu-22.04-server-cloudimg-amd64.img',
      checksumUrl: 'https://cloud-images.ubuntu.com/releases/jammy/release/SHA256SUMS',
      localPath: '/srv/images/ubuntu-22.04-server-cloudimg-amd64.img',
    })
  })

  it('puts the mirror in place of the upstream root and keeps the layout below it', () => {
    const location = createImageStore({
      imageDir: '/srv/images',
      log,
      mirrors: { rockylinux: 'https://mirror.example/rocky' },
    }).resolve(rocky9)
    expect(location.imageUrl).toBe(
      'https://mirror.example/rocky/9/images/x86_64/Rocky-9-GenericCloud-Base.latest.x86_64.qcow2',
    )
    expect(location.checksumUrl).toBe('https://mirror.example/rocky/9/images/x86_64/CHECKSUM')
  })

  it.each([
    ['ftp://mirror.example/debian/', 'must start with http:// or https://'],
    ['https://user:secret@mirror.example/debian/', 'must not hold a user name or password'],
    ['not a url', 'is not a URL'],
  ])('refuses the mirror %s', (mirror, problem) => {
    const create = () => createImageStore({ imageDir: temp.dir, log, mirrors: { debian: mirror } })
    expect(create).toThrow(problem)
    expect(create).not.toThrow('secret')
  })
})

describe('ensure', () => {
  it('downloads, verifies and keeps the image under its final name', async () => {
    const image = randomBytes(300 * 1024)
    serveDebian(image)
    const images = store()

    const result = await images.ensure(debian12)

    expect(result).toEqual({
      path: join(temp.dir, 'debian-12-genericcloud-amd64.qcow2'),
      downloaded: true,
      bytes: image.length,
      sha: sha512(image),
    })
    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(leftovers()).toEqual(['debian-12-genericcloud-amd64.qcow2'])
    expect(images.stats()).toEqual({
      cacheHits: 0,
      cacheMisses: 1,
      sharedWaits: 0,
      bytesDownloaded: image.length,
    })
  })

  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('downloads an image larger than the memory the download holds, %s', async (_, chunked) => {
    const image = randomBytes(40 * 1024 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, { kind: 'file', body: image, omitLength: chunked })

    const result = await store().ensure(debian12)

    expect(result).toMatchObject({ downloaded: true, bytes: image.length, sha: sha512(image) })
    expect(readFileSync(result.path).equals(image)).toBe(true)
  })

  it('uses the cached image when it matches, but fetches the checksum file again', async () => {
    const image = randomBytes(64 * 1024)
    serveDebian(image)
    const images = store()
    await images.ensure(debian12)

    const again = await images.ensure(debian12)

    expect(again.downloaded).toBe(false)
    expect(again.sha).toBe(sha512(image))
    expect(server.count('GET', debianImage)).toBe(1)
    expect(server.count('GET', debianSums)).toBe(2)
    expect(images.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 })
  })

  it('downloads again when upstream published a new image under the same name', async () => {
    serveDebian(randomBytes(64 * 1024))
    const images = store()
    await images.ensure(debian12)
    const newer = randomBytes(80 * 1024)
    serveDebian(newer)

    const result = await images.ensure(debian12)

    expect(result.downloaded).toBe(true)
    expect(readFileSync(result.path).equals(newer)).toBe(true)
    expect(server.count('GET', debianImage)).toBe(2)
  })

  it('replaces a cached image that was damaged on disk', async () => {
    const image = randomBytes(64 * 1024)
    serveDebian(image)
    const images = store()
    const first = await images.ensure(debian12)
    writeFileSync(first.path, 'half an image')

    const second = await images.ensure(debian12)

    expect(second.downloaded).toBe(true)
    expect(readFileSync(second.path).equals(image)).toBe(true)
  })

  it('deletes a corrupted download and says both digests, shortened', async () => {
    const image = randomBytes(64 * 1024)
    const corrupted = Buffer.from(image)
    corrupted[1000] = (corrupted[1000] ?? 0) ^ 0xff
    serveDebian(corrupted, image)

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_CHECKSUM_MISMATCH')).toBe(true)
    const message = error instanceof Error ? error.message : ''
    expect(message).toContain(`${sha512(image).slice(0, 8)}…${sha512(image).slice(-4)}`)
    expect(message).toContain(`${sha512(corrupted).slice(0, 8)}…`)
    expect(message).not.toContain(sha512(image))
    expect(leftovers()).toEqual([])
  })

  it('keeps the old image when a newer download fails verification', async () => {
    const image = randomBytes(64 * 1024)
    serveDebian(image)
    const images = store()
    const first = await images.ensure(debian12)
    serveDebian(randomBytes(64 * 1024), randomBytes(10))

    expect(await codeOf(images.ensure(debian12))).toBe('IMAGE_CHECKSUM_MISMATCH')
    expect(readFileSync(first.path).equals(image)).toBe(true)
    expect(leftovers()).toEqual(['debian-12-genericcloud-amd64.qcow2'])
  })

  it('fails a download the server cuts short and leaves no file', async () => {
    const image = randomBytes(256 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, { kind: 'file', body: image, truncateAt: 100 * 1024 })

    expect(await codeOf(store().ensure(debian12))).toBe('IMAGE_DOWNLOAD_FAILED')
    expect(leftovers()).toEqual([])
  })

  it('fails a chunked download the server cuts short and leaves no file', async () => {
    const image = randomBytes(256 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, {
      kind: 'file',
      body: image,
      omitLength: true,
      truncateAt: 100 * 1024,
    })

    expect(await codeOf(store().ensure(debian12))).toBe('IMAGE_DOWNLOAD_FAILED')
    expect(leftovers()).toEqual([])
  })

  it('reports a 404 on the image with its status', async () => {
    serveDebian(randomBytes(1024))
    server.routes.set(debianImage, { kind: 'status', status: 404 })

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_DOWNLOAD_FAILED')).toBe(true)
    expect(error).toMatchObject({ status: 404 })
    expect(String(error)).toContain(`${server.baseUrl}${debianImage} answered 404`)
    expect(leftovers()).toEqual([])
  })

  it('never resumes a .part without a record of its URL and ETag, even one holding the right bytes', async () => {
    const image = randomBytes(64 * 1024)
    serveDebian(image)
    const partPath = join(temp.dir, 'debian-12-genericcloud-amd64.qcow2.part')
    writeFileSync(partPath, image)

    const result = await store().ensure(debian12)

    expect(result.downloaded).toBe(true)
    expect(server.count('GET', debianImage)).toBe(1)
    expect(existsSync(partPath)).toBe(false)
    expect(readFileSync(result.path).equals(image)).toBe(true)
  })

  it('follows a redirect to the image', async () => {
    const image = randomBytes(64 * 1024)
    serveDebian(image)
    server.routes.set('/moved/debian.qcow2', { kind: 'file', body: image })
    server.routes.set(debianImage, { kind: 'redirect', location: '/moved/debian.qcow2' })

    const result = await store().ensure(debian12)

    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(server.count('GET', '/moved/debian.qcow2')).toBe(1)
  })

  it('gives up on an image that redirects in a loop, after 20 redirects', async () => {
    serveDebian(randomBytes(1024))
    server.routes.set(debianImage, { kind: 'redirect', location: '/loop' })
    server.routes.set('/loop', { kind: 'redirect', location: debianImage })

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_DOWNLOAD_FAILED')).toBe(true)
    expect(String(error)).toContain('more than 20 redirects')
    expect(server.count('GET', debianImage) + server.count('GET', '/loop')).toBe(21)
    expect(leftovers()).toEqual([])
  })

  it('follows no redirect of the image to a scheme other than http and https', async () => {
    serveDebian(randomBytes(1024))
    server.routes.set(debianImage, { kind: 'redirect', location: 'file:///etc/passwd' })

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_DOWNLOAD_FAILED')).toBe(true)
    expect(String(error)).toContain('redirected to an unusable URL')
  })

  it('reads the Ubuntu SHA256SUMS binary-mode line for the exact file', async () => {
    const image = randomBytes(64 * 1024)
    server.routes.set(ubuntuImage, { kind: 'file', body: image })
    const sums = [
      `${sha256(Buffer.from('x'))} *ubuntu-22.04-server-cloudimg-amd64.img.manifest`,
      `${sha256(image)} *ubuntu-22.04-server-cloudimg-amd64.img`,
    ].join('\n')
    server.routes.set(ubuntuSums, { kind: 'file', body: Buffer.from(sums) })

    const result = await store().ensure(ubuntu2204)

    expect(result).toMatchObject({ downloaded: true, sha: sha256(image) })
    expect(result.path).toBe(join(temp.dir, 'ubuntu-22.04-server-cloudimg-amd64.img'))
  })
})

describe('ensure after a broken download', () => {
  const partName = 'debian-12-genericcloud-amd64.qcow2.part'
  const recordName = 'debian-12-genericcloud-amd64.qcow2.part.json'

  it('resumes with a Range request where the .part ends, when the server has an ETag', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, {
      kind: 'file',
      body: image,
      etag: '"v1"',
      truncateAt: 200 * 1024,
    })
    const images = store()

    const broken = await images.ensure(debian12).catch((caught: unknown) => caught)
    expect(isImageError(broken, 'IMAGE_DOWNLOAD_FAILED')).toBe(true)
    expect(String(broken)).toContain('kept to resume from')
    expect(leftovers().sort()).toEqual([partName, recordName])
    const kept = readFileSync(join(temp.dir, partName)).length
    expect(kept).toBeGreaterThan(0)
    const before = images.stats().bytesDownloaded

    server.routes.set(debianImage, { kind: 'file', body: image, etag: '"v1"' })
    const result = await images.ensure(debian12)

    expect(result).toMatchObject({ downloaded: true, bytes: image.length, sha: sha512(image) })
    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(server.requests.filter((r) => r.path === debianImage).map((r) => r.range)).toEqual([
      undefined,
      `bytes=${kept}-`,
    ])
    expect(images.stats().bytesDownloaded - before).toBe(image.length - kept)
    expect(leftovers()).toEqual(['debian-12-genericcloud-amd64.qcow2'])
  })

  it('reports progress of a resumed download from the bytes already there', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, {
      kind: 'file',
      body: image,
      etag: '"v1"',
      truncateAt: 200 * 1024,
    })
    const images = store({ progressIntervalMs: 0 })
    await images.ensure(debian12).catch(() => undefined)
    const kept = readFileSync(join(temp.dir, partName)).length
    server.routes.set(debianImage, { kind: 'file', body: image, etag: '"v1"' })
    const events: DownloadProgress[] = []

    await images.ensure(debian12, { onProgress: (progress) => events.push(progress) })

    expect(events[0]?.receivedBytes).toBeGreaterThan(kept)
    expect(events[0]?.totalBytes).toBe(image.length)
    expect(events.at(-1)).toMatchObject({ receivedBytes: image.length, percent: 100 })
  })

  it('downloads the whole file again when its ETag changed (If-Range)', async () => {
    const old = randomBytes(512 * 1024)
    serveDebian(old)
    server.routes.set(debianImage, {
      kind: 'file',
      body: old,
      etag: '"v1"',
      truncateAt: 200 * 1024,
    })
    const images = store()
    await images.ensure(debian12).catch(() => undefined)
    const newer = randomBytes(300 * 1024)
    serveDebian(newer)
    server.routes.set(debianImage, { kind: 'file', body: newer, etag: '"v2"' })

    const result = await images.ensure(debian12)

    expect(readFileSync(result.path).equals(newer)).toBe(true)
    expect(server.requests.at(-1)?.range).toMatch(/^bytes=\d+-$/)
    expect(leftovers()).toEqual(['debian-12-genericcloud-amd64.qcow2'])
  })

  it('starts over once when a resumed file fails verification', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, {
      kind: 'file',
      body: image,
      etag: '"v1"',
      truncateAt: 200 * 1024,
    })
    const images = store()
    await images.ensure(debian12).catch(() => undefined)
    // The kept bytes were damaged on disk since (a crash, a bad sector).
    const partPath = join(temp.dir, partName)
    const damaged = readFileSync(partPath)
    damaged[10] = (damaged[10] ?? 0) ^ 0xff
    writeFileSync(partPath, damaged)
    server.routes.set(debianImage, { kind: 'file', body: image, etag: '"v1"' })

    const result = await images.ensure(debian12)

    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(server.requests.filter((r) => r.path === debianImage).map((r) => r.range)).toEqual([
      undefined,
      `bytes=${damaged.length}-`,
      undefined,
    ])
  })

  it('deletes what it received when the server cannot resume (no ETag)', async () => {
    const image = randomBytes(256 * 1024)
    serveDebian(image)
    server.routes.set(debianImage, { kind: 'file', body: image, truncateAt: 100 * 1024 })

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(String(error)).not.toContain('resume')
    expect(leftovers()).toEqual([])
  })

  it('deletes the .part when its caller cancels, even one the server could resume', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    const gate = new Promise<void>(() => undefined)
    server.routes.set(debianImage, {
      kind: 'file',
      body: image,
      etag: '"v1"',
      pauseAt: 128 * 1024,
      gate,
    })
    const controller = new AbortController()

    const error = await store({ progressIntervalMs: 0 })
      .ensure(debian12, { signal: controller.signal, onProgress: () => controller.abort() })
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_ABORTED')).toBe(true)
    expect(leftovers()).toEqual([])
  })
})

describe('ensure when the disk fails', () => {
  it('says the write failed, not the download, with the system code, and leaves nothing', async () => {
    serveDebian(randomBytes(256 * 1024))
    // The .part opens onto a device that is always full: every write fails with ENOSPC.
    symlinkSync('/dev/full', join(temp.dir, 'debian-12-genericcloud-amd64.qcow2.part'))

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_WRITE_FAILED')).toBe(true)
    expect(String(error)).toContain('ENOSPC')
    expect(String(error)).toContain('debian-12-genericcloud-amd64.qcow2.part')
    expect(leftovers()).toEqual([])
  })
})

describe('ensure when the disk cannot sync', () => {
  // /dev/null takes every write and refuses fdatasync and fsync (EINVAL): a disk that loses
  // what it was given, as the store can only tell by syncing.
  const part = 'debian-12-genericcloud-amd64.qcow2.part'

  it('fails with IMAGE_WRITE_FAILED when the fsync before the rename fails, and leaves nothing', async () => {
    serveDebian(randomBytes(256 * 1024))
    symlinkSync('/dev/null', join(temp.dir, part))

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_WRITE_FAILED')).toBe(true)
    expect(String(error)).toContain('EINVAL')
    expect(leftovers()).toEqual([])
  })

  it('fails at once when a sync during the download fails, not when the body ends', async () => {
    // More than the 64 MiB after which the store syncs in the background, then the server
    // stalls for good: only a failure reported as it happens ends this download.
    const image = Buffer.alloc(80 * 1024 * 1024, 7)
    serveDebian(image)
    let unstall = (): void => undefined
    const gate = new Promise<void>((resolve) => {
      unstall = resolve
    })
    server.routes.set(debianImage, { kind: 'file', body: image, pauseAt: 72 * 1024 * 1024, gate })
    symlinkSync('/dev/null', join(temp.dir, part))

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)
    unstall()

    expect(isImageError(error, 'IMAGE_WRITE_FAILED')).toBe(true)
    expect(String(error)).toContain('EINVAL')
    expect(String(error)).toContain(part)
    expect(leftovers()).toEqual([])
  })
})

describe('ensure without a usable checksum', () => {
  it('refuses when the checksum file is missing, without fetching the image', async () => {
    serveDebian(randomBytes(1024))
    server.routes.set(debianSums, { kind: 'status', status: 404 })

    expect(await codeOf(store().ensure(debian12))).toBe('IMAGE_CHECKSUM_UNAVAILABLE')
    expect(server.count('GET', debianImage)).toBe(0)
    expect(leftovers()).toEqual([])
  })

  it('refuses when the checksum server is down', async () => {
    const down = await startTestFileServer()
    await down.close()
    const images = store({ mirrors: { debian: `${down.baseUrl}/debian/` } })

    const error = await images.ensure(debian12).catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_CHECKSUM_UNAVAILABLE')).toBe(true)
    expect(String(error)).toContain('ECONNREFUSED')
  })

  it('refuses a cached image too when the checksum file cannot be fetched', async () => {
    serveDebian(randomBytes(1024))
    const images = store()
    await images.ensure(debian12)
    server.routes.set(debianSums, { kind: 'status', status: 503 })

    expect(await codeOf(images.ensure(debian12))).toBe('IMAGE_CHECKSUM_UNAVAILABLE')
  })

  it('refuses when the checksum file does not list the exact name', async () => {
    server.routes.set(debianImage, { kind: 'file', body: randomBytes(1024) })
    const sums = `${sha512(Buffer.from('x'))}  debian-12-genericcloud-amd64.qcow2.json\n`
    server.routes.set(debianSums, { kind: 'file', body: Buffer.from(sums) })

    const error = await store()
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_CHECKSUM_NOT_LISTED')).toBe(true)
    expect(String(error)).toContain('no line for debian-12-genericcloud-amd64.qcow2')
    expect(server.count('GET', debianImage)).toBe(0)
  })

  it('refuses a SHA-256 line where Debian publishes SHA-512', async () => {
    const image = randomBytes(1024)
    server.routes.set(debianImage, { kind: 'file', body: image })
    const sums = `${sha256(image)}  debian-12-genericcloud-amd64.qcow2\n`
    server.routes.set(debianSums, { kind: 'file', body: Buffer.from(sums) })

    expect(await codeOf(store().ensure(debian12))).toBe('IMAGE_CHECKSUM_NOT_LISTED')
  })
})

describe('ensure shared by concurrent callers', () => {
  it('makes one download for callers asking at once, and reports progress to each', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    const images = store({ progressIntervalMs: 0 })
    const seen: DownloadProgress[][] = [[], [], []]

    const results = await Promise.all(
      seen.map((events) => images.ensure(debian12, { onProgress: (p) => events.push(p) })),
    )

    expect(server.count('GET', debianImage)).toBe(1)
    expect(server.count('GET', debianSums)).toBe(1)
    for (const result of results) expect(result).toEqual(results[0])
    for (const events of seen) expect(events.at(-1)).toMatchObject({ percent: 100 })
    expect(images.stats()).toMatchObject({ cacheMisses: 1, sharedWaits: 2 })
  })

  it('lets a caller join a download already under way', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    let open = (): void => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    server.routes.set(debianImage, { kind: 'file', body: image, pauseAt: 128 * 1024, gate })
    const images = store({ progressIntervalMs: 0 })
    const firstEvents: DownloadProgress[] = []
    const laterEvents: DownloadProgress[] = []
    let later: Promise<unknown> = Promise.resolve()
    let joined = false

    const first = images.ensure(debian12, {
      onProgress: (progress) => {
        firstEvents.push(progress)
        if (joined) return
        joined = true
        later = images.ensure(debian12, { onProgress: (p) => laterEvents.push(p) })
        open()
      },
    })

    const [a, b] = await Promise.all([first, first.then(() => later)])
    expect(b).toEqual(a)
    expect(server.count('GET', debianImage)).toBe(1)
    expect(laterEvents.at(-1)).toMatchObject({ receivedBytes: image.length, percent: 100 })
    expect(firstEvents.at(-1)).toMatchObject({ percent: 100 })
  })

  it('removes the .part when its only caller aborts mid-download', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    const gate = new Promise<void>(() => undefined)
    server.routes.set(debianImage, { kind: 'file', body: image, pauseAt: 128 * 1024, gate })
    const controller = new AbortController()
    let partSeen = false

    const error = await store({ progressIntervalMs: 0 })
      .ensure(debian12, {
        signal: controller.signal,
        onProgress: () => {
          partSeen = leftovers().includes('debian-12-genericcloud-amd64.qcow2.part')
          controller.abort()
        },
      })
      .catch((caught: unknown) => caught)

    expect(partSeen).toBe(true)
    expect(isImageError(error, 'IMAGE_ABORTED')).toBe(true)
    expect(leftovers()).toEqual([])
  })

  it('goes on for the other callers when one of them aborts', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    let open = (): void => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    server.routes.set(debianImage, { kind: 'file', body: image, pauseAt: 128 * 1024, gate })
    const images = store({ progressIntervalMs: 0 })
    const controller = new AbortController()

    const leaving = images.ensure(debian12, {
      signal: controller.signal,
      onProgress: () => {
        controller.abort()
        open()
      },
    })
    const staying = images.ensure(debian12)

    expect(await codeOf(leaving)).toBe('IMAGE_ABORTED')
    const result = await staying
    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(server.count('GET', debianImage)).toBe(1)
  })

  it('starts afresh for a caller that comes after all others aborted', async () => {
    const image = randomBytes(256 * 1024)
    serveDebian(image)
    const gate = new Promise<void>(() => undefined)
    server.routes.set(debianImage, { kind: 'file', body: image, pauseAt: 64 * 1024, gate })
    const images = store({ progressIntervalMs: 0 })
    const controller = new AbortController()
    let second: Promise<unknown> | undefined

    const first = images.ensure(debian12, {
      signal: controller.signal,
      onProgress: () => {
        if (second !== undefined) return
        controller.abort()
        server.routes.set(debianImage, { kind: 'file', body: image })
        second = images.ensure(debian12)
      },
    })

    expect(await codeOf(first)).toBe('IMAGE_ABORTED')
    await expect(second).resolves.toMatchObject({ downloaded: true, sha: sha512(image) })
    expect(server.count('GET', debianImage)).toBe(2)
    expect(leftovers()).toEqual(['debian-12-genericcloud-amd64.qcow2'])
  })

  it('refuses at once a caller whose signal is already aborted', async () => {
    serveDebian(randomBytes(1024))
    expect(await codeOf(store().ensure(debian12, { signal: AbortSignal.abort() }))).toBe(
      'IMAGE_ABORTED',
    )
    expect(server.requests).toEqual([])
  })
})

describe('ensure progress', () => {
  it('reports only the end when the clock does not reach the interval', async () => {
    const image = randomBytes(512 * 1024)
    serveDebian(image)
    const gate = Promise.resolve()
    server.routes.set(debianImage, { kind: 'file', body: image, pauseAt: 100 * 1024, gate })
    const events: DownloadProgress[] = []

    await store({ now: () => 5000, progressIntervalMs: 1000 }).ensure(debian12, {
      onProgress: (progress) => events.push(progress),
    })

    expect(events).toEqual([
      { receivedBytes: image.length, totalBytes: image.length, percent: 100, bytesPerSecond: 0 },
    ])
  })

  it('reports at most once per interval on a clock that moves 400 ms per reading', async () => {
    const image = randomBytes(1024 * 1024)
    serveDebian(image)
    let clock = 0
    const events: DownloadProgress[] = []
    const reportedAt: number[] = []
    const now = (): number => {
      clock += 400
      return clock
    }

    await store({ now, progressIntervalMs: 1000 }).ensure(debian12, {
      onProgress: (progress) => {
        events.push(progress)
        reportedAt.push(clock)
      },
    })

    const last = events.pop()
    reportedAt.pop()
    expect(last).toMatchObject({ receivedBytes: image.length, percent: 100 })
    expect(events.length).toBeGreaterThan(0)
    for (const [index, at] of reportedAt.entries()) {
      expect(at - (reportedAt[index - 1] ?? 0)).toBeGreaterThanOrEqual(1000)
    }
    for (const event of events) {
      expect(event.totalBytes).toBe(image.length)
      expect(event.percent).toBeLessThan(100)
      expect(event.bytesPerSecond).toBeGreaterThan(0)
    }
    const received = events.map((event) => event.receivedBytes)
    expect(received).toEqual([...received].sort((a, b) => a - b))
  })

  it('takes the total from Rocky’s size comment when the server sends no length', async () => {
    const image = randomBytes(256 * 1024)
    server.routes.set(rockyImage, {
      kind: 'file',
      body: image,
      omitLength: true,
      pauseAt: 64 * 1024,
      gate: Promise.resolve(),
    })
    const checksum = [
      `# Rocky-9-GenericCloud-Base.latest.x86_64.qcow2: ${image.length} bytes`,
      `SHA256 (Rocky-9-GenericCloud-Base.latest.x86_64.qcow2) = ${sha256(image)}`,
    ].join('\n')
    server.routes.set(rockySums, { kind: 'file', body: Buffer.from(checksum) })
    const events: DownloadProgress[] = []

    await store({ progressIntervalMs: 0 }).ensure(rocky9, {
      onProgress: (progress) => events.push(progress),
    })

    expect(events.length).toBeGreaterThan(1)
    expect(events[0]?.totalBytes).toBe(image.length)
    expect(events[0]?.percent).toBeLessThan(100)
  })

  it('keeps downloading when a progress listener throws', async () => {
    serveDebian(randomBytes(64 * 1024))
    const result = await store({ progressIntervalMs: 0 }).ensure(debian12, {
      onProgress: () => {
        throw new Error('listener bug')
      },
    })
    expect(result.downloaded).toBe(true)
  })
})

describe('check', () => {
  it('passes a 2xx HEAD and reads the size', async () => {
    serveDebian(randomBytes(4096))
    await expect(store().check(debian12)).resolves.toEqual({
      finalUrl: `${server.baseUrl}${debianImage}`,
      status: 200,
      sizeBytes: 4096,
    })
    expect(server.count('HEAD', debianImage)).toBe(1)
    expect(server.count('GET', debianImage)).toBe(0)
  })

  it('treats a missing Content-Length as an unknown size', async () => {
    server.routes.set(debianImage, { kind: 'file', body: randomBytes(10), omitLength: true })
    const result = await store().check(debian12)
    expect(result.status).toBe(200)
    expect(result.sizeBytes).toBeUndefined()
  })

  it('follows redirects', async () => {
    server.routes.set(debianImage, { kind: 'redirect', location: '/a', status: 301 })
    server.routes.set('/a', { kind: 'redirect', location: '/b', status: 302 })
    server.routes.set('/b', { kind: 'file', body: randomBytes(100) })
    await expect(store().check(debian12)).resolves.toMatchObject({
      finalUrl: `${server.baseUrl}/b`,
      sizeBytes: 100,
    })
  })

  it.each([404, 403, 500])('names the URL and the status %i', async (status) => {
    server.routes.set(debianImage, { kind: 'status', status })
    const error = await store()
      .check(debian12)
      .catch((caught: unknown) => caught)
    expect(isImageError(error, 'IMAGE_URL_UNREACHABLE')).toBe(true)
    expect(error).toMatchObject({ status, url: `${server.baseUrl}${debianImage}` })
    expect(String(error)).toContain(`HEAD ${server.baseUrl}${debianImage} answered ${status}`)
  })

  it('names the URL when nothing listens there', async () => {
    const down = await startTestFileServer()
    await down.close()
    const error = await store({ mirrors: { debian: `${down.baseUrl}/debian/` } })
      .check(debian12)
      .catch((caught: unknown) => caught)
    expect(isImageError(error, 'IMAGE_URL_UNREACHABLE')).toBe(true)
    expect(String(error)).toContain(`HEAD ${down.baseUrl}${debianImage} failed:`)
    expect(String(error)).toContain('ECONNREFUSED')
  })

  it('gives up on a server that does not answer within the timeout', async () => {
    server.routes.set(debianImage, { kind: 'hang' })
    const error = await store({ headTimeoutMs: 50 })
      .check(debian12)
      .catch((caught: unknown) => caught)
    expect(isImageError(error, 'IMAGE_URL_UNREACHABLE')).toBe(true)
    expect(String(error)).toContain('no answer within 50 ms')
  })

  it('stops when its caller aborts', async () => {
    server.routes.set(debianImage, { kind: 'hang' })
    const controller = new AbortController()
    const checking = store().check(debian12, { signal: controller.signal })
    controller.abort()
    expect(await codeOf(checking)).toBe('IMAGE_ABORTED')
  })
})
