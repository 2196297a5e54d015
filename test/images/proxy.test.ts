import { createHash, randomBytes } from 'node:crypto'
import { createServer as createHttpsServer } from 'node:https'
import { readFileSync } from 'node:fs'

import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  createImageStore,
  findRelease,
  isImageError,
  type ImageStoreOptions,
  type OsRelease,
} from '../../src/images/index.js'
import { createSelfSignedCertificate } from '../../src/sim/faces/rest/self-signed-certificate.js'
import { makeTempDir } from '../exec/temp-dir.js'
import { buildTestApp } from '../helpers/build-test-app.js'
import { startTestFileServer, type TestFileServer } from './test-file-server.js'
import { startTestProxy, type TestProxy } from './test-proxy.js'

const log = pino({ level: 'silent' })
function release(os: string, version: string): OsRelease {
  const found = findRelease(os, version)
  if (found === undefined) throw new Error(`no ${os} ${version} in the catalog`)
  return found
}

const debian12 = release('debian', '12')
const debianImage = '/debian/bookworm/latest/debian-12-genericcloud-amd64.qcow2'
const debianSums = '/debian/bookworm/latest/SHA512SUMS'

let server: TestFileServer
let proxy: TestProxy
let temp: { dir: string; remove: () => void }
const closers: (() => Promise<void>)[] = []

beforeEach(async () => {
  server = await startTestFileServer()
  proxy = await startTestProxy()
  temp = makeTempDir('pve-qemu-proxy-')
})

afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  await server.close()
  await proxy.close()
  temp.remove()
})

function serveDebian(image: Buffer): void {
  server.routes.set(debianImage, { kind: 'file', body: image })
  const sha = createHash('sha512').update(image).digest('hex')
  const sums = `${sha}  debian-12-genericcloud-amd64.qcow2\n`
  server.routes.set(debianSums, { kind: 'file', body: Buffer.from(sums) })
}

function store(overrides: Partial<ImageStoreOptions> = {}) {
  const images = createImageStore({
    imageDir: temp.dir,
    log,
    mirrors: { debian: `${server.baseUrl}/debian/` },
    ...overrides,
  })
  closers.push(() => images.close())
  return images
}

const serverHost = (): string => new URL(server.baseUrl).host

describe('image downloads through a proxy', () => {
  it('checks, fetches the checksum and downloads through HTTP_PROXY', async () => {
    const image = randomBytes(300 * 1024)
    serveDebian(image)
    const images = store({ proxy: { httpProxy: proxy.url } })

    await images.check(debian12)
    const result = await images.ensure(debian12)

    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(proxy.requests.length).toBeGreaterThan(0)
    for (const request of proxy.requests) {
      expect(request).toMatchObject({ method: 'CONNECT', target: serverHost() })
    }
    expect(server.count('HEAD', debianImage)).toBe(1)
    expect(server.count('GET', debianImage)).toBe(1)
  })

  it('goes straight to a host NO_PROXY lists', async () => {
    const image = randomBytes(64 * 1024)
    serveDebian(image)
    const images = store({ proxy: { httpProxy: proxy.url, noProxy: 'localhost, 127.0.0.1' } })

    const result = await images.ensure(debian12)

    expect(readFileSync(result.path).equals(image)).toBe(true)
    expect(proxy.requests).toEqual([])
  })

  it('uses no proxy at all without settings, whatever the process environment says', async () => {
    serveDebian(randomBytes(1024))
    const before = process.env.HTTP_PROXY
    process.env.HTTP_PROXY = proxy.url
    try {
      await store().ensure(debian12)
    } finally {
      if (before === undefined) delete process.env.HTTP_PROXY
      else process.env.HTTP_PROXY = before
    }
    expect(proxy.requests).toEqual([])
  })

  it('sends https through HTTPS_PROXY and still checks the certificate end to end', async () => {
    const certificate = createSelfSignedCertificate({
      commonName: 'localhost',
      altNames: ['localhost'],
    })
    const https = createHttpsServer({ cert: certificate.cert, key: certificate.key }, (_q, r) => {
      r.writeHead(200, { 'content-length': 4 }).end('data')
    })
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise((resolve) => https.close(() => resolve())))
    const address = https.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const images = store({
      mirrors: { debian: `https://127.0.0.1:${address.port}/debian/` },
      proxy: { httpsProxy: proxy.url },
    })

    const error = await images.check(debian12).catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_URL_UNREACHABLE')).toBe(true)
    expect(String(error)).toMatch(/self[- ]signed certificate/)
    expect(proxy.requests).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${address.port}` }])
  })

  it('sends the proxy credentials to the proxy and never shows them in an error', async () => {
    serveDebian(randomBytes(1024))
    proxy.refuseWith407 = true
    const withCredentials = proxy.url.replace('http://', 'http://builder:s3cret-pw@')
    const images = store({ proxy: { httpProxy: withCredentials } })

    const error = await images.ensure(debian12).catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_CHECKSUM_UNAVAILABLE')).toBe(true)
    expect(JSON.stringify(error) + String(error)).not.toContain('s3cret-pw')
    const expected = `Basic ${Buffer.from('builder:s3cret-pw').toString('base64')}`
    expect(proxy.requests[0]?.authorization).toBe(expected)
  })

  it('names the proxy failure when the proxy is down', async () => {
    serveDebian(randomBytes(1024))
    const down = await startTestProxy()
    await down.close()

    const error = await store({ proxy: { httpProxy: down.url } })
      .ensure(debian12)
      .catch((caught: unknown) => caught)

    expect(isImageError(error, 'IMAGE_CHECKSUM_UNAVAILABLE')).toBe(true)
    expect(String(error)).toContain('ECONNREFUSED')
  })
})

describe('the service’s image store', () => {
  it('downloads through the proxy the configuration names (HTTP_PROXY, NO_PROXY)', async () => {
    const app = await buildTestApp({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.org' } })
    closers.push(() => app.close())

    const result = await app.imageStore.ensure(debian12)

    expect(result.downloaded).toBe(true)
    expect(proxy.requests.length).toBeGreaterThan(0)
    expect(proxy.requests.every((request) => request.method === 'CONNECT')).toBe(true)
  })
})
