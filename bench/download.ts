import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { createImageStore } from '../src/images/index.js'
import type { OsRelease } from '../src/images/os-catalog.js'

const fileBytes = 1024 ** 3
const chunk = Buffer.alloc(1024 * 1024)
for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 31 + 7) % 251

export interface DownloadResult {
  bytes: number
  storeSeconds: number
  curlSeconds: number
  throughputRatio: number
  peakRssMb: number
  baselineRssMb: number
}

function digest(): string {
  const hash = createHash('sha256')
  for (let sent = 0; sent < fileBytes; sent += chunk.length) hash.update(chunk)
  return hash.digest('hex')
}

function serve(sha: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.url === '/big/SHA256SUMS') {
      response.end(`${sha} *bench.img\n`)
      return
    }
    if (request.url !== '/big/bench.img') {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-length': String(fileBytes) })
    if (request.method === 'HEAD') {
      response.end()
      return
    }
    let sent = 0
    const pump = (): void => {
      while (sent < fileBytes) {
        sent += chunk.length
        if (!response.write(chunk)) {
          response.once('drain', pump)
          return
        }
      }
      response.end()
    }
    pump()
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({ server, url: `http://127.0.0.1:${port}` })
    })
  })
}

/** The image store against curl fetching the same 1 GiB file from loopback; peak RSS while it runs. */
export async function measureDownload(): Promise<DownloadResult> {
  const sha = digest()
  const { server, url } = await serve(sha)
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-bench-'))
  try {
    const curlStarted = performance.now()
    const curl = spawnSync('curl', ['-sS', '-o', join(dir, 'curl.img'), `${url}/big/bench.img`])
    if (curl.status !== 0) throw new Error(`curl failed: ${curl.stderr.toString()}`)
    const curlSeconds = (performance.now() - curlStarted) / 1000
    rmSync(join(dir, 'curl.img'))

    const release: OsRelease = {
      os: 'ubuntu',
      version: 'bench',
      codename: 'bench',
      baseUrl: `${url}/big/`,
      imageFile: 'bench.img',
      checksumFile: 'SHA256SUMS',
      checksumAlgorithm: 'sha256',
      checksumFormat: 'gnu',
      defaultUser: 'ubuntu',
      packages: 'apt',
      minCpuLevel: 1,
      supportEnds: '2099-01-01',
    }
    const store = createImageStore({ imageDir: join(dir, 'images'), log: pino({ level: 'silent' }) })
    global.gc?.()
    const baselineRss = process.memoryUsage().rss
    let peakRss = baselineRss
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }, 25)
    const started = performance.now()
    await store.ensure(release)
    const storeSeconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    return {
      bytes: fileBytes,
      storeSeconds,
      curlSeconds,
      throughputRatio: curlSeconds / storeSeconds,
      peakRssMb: peakRss / 1024 ** 2,
      baselineRssMb: baselineRss / 1024 ** 2,
    }
  } finally {
    server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
