import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  createImageStore,
  findRelease,
  isImageError,
  osCatalog,
  type DownloadProgress,
  type OsRelease,
} from '../../../src/images/index.js'
import { readQcow2Header } from '../../../src/sim/images/qcow2-image.js'
import {
  startSimImageServer,
  type SimImageServer,
} from '../../../src/sim/images/sim-image-server.js'
import { makeTempDir } from '../../exec/temp-dir.js'

const log = pino({ level: 'silent' })
const GiB = 1024 ** 3

function release(os: string, version: string): OsRelease {
  const found = findRelease(os, version)
  if (found === undefined) throw new Error(`no ${os} ${version}`)
  return found
}

const expectedVirtualSizes: Record<string, number> = {
  'debian 11': 2 * GiB,
  'debian 12': 2 * GiB,
  'debian 13': 3 * GiB,
  'ubuntu 20.04': 2 * GiB,
  'ubuntu 22.04': 2 * GiB,
  'ubuntu 24.04': 3758096384,
  'rockylinux 8': 10 * GiB,
  'rockylinux 9': 10 * GiB,
  'rockylinux 10': 10 * GiB,
}

let sim: SimImageServer
let temp: { dir: string; remove: () => void }

beforeEach(async () => {
  sim = await startSimImageServer({ host: '127.0.0.1', port: 0 })
  temp = makeTempDir('pve-qemu-sim-images-')
})

afterEach(async () => {
  await sim.close()
  temp.remove()
})

function store(progressIntervalMs = 1000) {
  return createImageStore({ imageDir: temp.dir, log, mirrors: sim.mirrors, progressIntervalMs })
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

describe('the simulated image server with the image store', () => {
  it.each(osCatalog.map((entry) => [`${entry.os} ${entry.version}`, entry] as const))(
    'serves %s: HEAD passes, the download verifies, the qcow2 header has the real size',
    async (name, entry) => {
      const images = store()

      const head = await images.check(entry)
      const result = await images.ensure(entry)

      expect(head).toMatchObject({ status: 200, sizeBytes: 256 * 1024 })
      expect(result).toMatchObject({ downloaded: true, bytes: 256 * 1024 })
      const header = readQcow2Header(readFileSync(result.path))
      expect(header?.version).toBe(3)
      expect(Number(header?.virtualSize)).toBe(expectedVirtualSizes[name])
    },
  )

  it('answers at the paths the real hosts use', async () => {
    const images = store()
    await images.ensure(release('debian', '12'))
    await images.ensure(release('ubuntu', '22.04'))
    await images.ensure(release('rockylinux', '9'))

    expect(sim.requests().map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /images/cloud/bookworm/latest/SHA512SUMS',
      'GET /images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2',
      'GET /releases/jammy/release/SHA256SUMS',
      'GET /releases/jammy/release/ubuntu-22.04-server-cloudimg-amd64.img',
      'GET /pub/rocky/9/images/x86_64/CHECKSUM',
      'GET /pub/rocky/9/images/x86_64/Rocky-9-GenericCloud-Base.latest.x86_64.qcow2',
    ])
  })

  it('gives each release its directory URL and the mirror roots', () => {
    expect(sim.baseUrlFor(release('debian', '13'))).toBe(`${sim.url}/images/cloud/trixie/latest/`)
    expect(sim.baseUrlFor(release('ubuntu', '24.04'))).toBe(`${sim.url}/releases/noble/release/`)
    expect(sim.baseUrlFor(release('rockylinux', '10'))).toBe(
      `${sim.url}/pub/rocky/10/images/x86_64/`,
    )
    expect(sim.mirrors).toEqual({
      debian: `${sim.url}/images/cloud/`,
      ubuntu: `${sim.url}/releases/`,
      rockylinux: `${sim.url}/pub/rocky/`,
    })
  })

  it('serves a cached image from disk the second time', async () => {
    const images = store()
    await images.ensure(release('ubuntu', '24.04'))
    const again = await images.ensure(release('ubuntu', '24.04'))
    expect(again.downloaded).toBe(false)
    expect(sim.requests().filter((request) => request.path.endsWith('.img'))).toHaveLength(1)
  })

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const missing = await fetch(`${sim.url}/images/cloud/bookworm/latest/nothing.qcow2`)
    const posted = await fetch(`${sim.baseUrlFor(release('debian', '12'))}SHA512SUMS`, {
      method: 'POST',
    })
    expect(missing.status).toBe(404)
    expect(posted.status).toBe(405)
    expect(posted.headers.get('allow')).toBe('GET, HEAD')
  })
})

describe('faults of the simulated image server', () => {
  it('serves a corrupted image that fails verification and leaves nothing', async () => {
    sim.setFaults({ corruptImage: true })
    const error = await failure(store().ensure(release('debian', '12')))
    expect(isImageError(error, 'IMAGE_CHECKSUM_MISMATCH')).toBe(true)
    expect(readdirSync(temp.dir)).toEqual([])
  })

  it('drops the image from the checksum file', async () => {
    sim.setFaults({ missingChecksumEntry: true })
    const error = await failure(store().ensure(release('ubuntu', '22.04')))
    expect(isImageError(error, 'IMAGE_CHECKSUM_NOT_LISTED')).toBe(true)
  })

  it('answers 404 for the image to HEAD and GET', async () => {
    sim.setFaults({ imageNotFound: true })
    const images = store()
    const head = await failure(images.check(release('rockylinux', '9')))
    const get = await failure(images.ensure(release('rockylinux', '9')))
    expect(head).toMatchObject({ code: 'IMAGE_URL_UNREACHABLE', status: 404 })
    expect(get).toMatchObject({ code: 'IMAGE_DOWNLOAD_FAILED', status: 404 })
  })

  it('answers 404 for the checksum file', async () => {
    sim.setFaults({ checksumNotFound: true })
    const error = await failure(store().ensure(release('debian', '11')))
    expect(isImageError(error, 'IMAGE_CHECKSUM_UNAVAILABLE')).toBe(true)
  })

  it('limits a fault to one release when given one', async () => {
    sim.setFaults({ imageNotFound: true }, release('debian', '12'))
    const images = store()
    await expect(images.check(release('debian', '13'))).resolves.toMatchObject({ status: 200 })
    await expect(images.check(release('debian', '12'))).rejects.toMatchObject({ status: 404 })
    sim.setFaults({})
    await expect(images.check(release('debian', '12'))).resolves.toMatchObject({ status: 200 })
  })

  it('throttles the image so a download can be watched and cancelled half way', async () => {
    sim.setFaults({ bytesPerSecond: 64 * 1024 })
    const controller = new AbortController()
    const events: DownloadProgress[] = []

    const error = await failure(
      store(0).ensure(release('ubuntu', '20.04'), {
        signal: controller.signal,
        onProgress: (progress) => {
          events.push(progress)
          controller.abort()
        },
      }),
    )

    expect(isImageError(error, 'IMAGE_ABORTED')).toBe(true)
    expect(events[0]?.receivedBytes).toBeLessThan(256 * 1024)
    expect(existsSync(join(temp.dir, 'ubuntu-20.04-server-cloudimg-amd64.img.part'))).toBe(false)
    expect(readdirSync(temp.dir)).toEqual([])
  })

  it('still delivers the whole image when throttled', async () => {
    sim.setFaults({ bytesPerSecond: 2 * 1024 * 1024 })
    const events: DownloadProgress[] = []
    const result = await store(0).ensure(release('debian', '13'), {
      onProgress: (progress) => events.push(progress),
    })
    expect(result.bytes).toBe(256 * 1024)
    expect(events.length).toBeGreaterThan(2)
    expect(events.at(-1)).toMatchObject({ percent: 100 })
  })

  it('refuses a throttle that is not a positive whole number', () => {
    expect(() => {
      sim.setFaults({ bytesPerSecond: 0 })
    }).toThrow('bytesPerSecond')
  })

  it('refuses to listen off loopback', async () => {
    await expect(startSimImageServer({ host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'SIM_IMAGE_SERVER_INVALID',
    })
  })
})
