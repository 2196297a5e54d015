import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { createImageStore } from '../src/images/index.js'
import type { OsRelease } from '../src/images/os-catalog.js'

export interface DownloadResult {
  bytes: number
  storeSeconds: number
  curlSeconds: number
  throughputRatio: number
  peakRssMb: number
  baselineRssMb: number
}

/** Starts bench/serve-big-file.ts as its own process and reads its URL. */
async function startServer(): Promise<{ child: ChildProcess; url: string; bytes: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./serve-big-file.ts', import.meta.url).pathname],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.stdout.once('data', (data: Buffer) => resolve(data.toString()))
  })
  const parsed = JSON.parse(line) as { url: string; bytes: number }
  return { child, ...parsed }
}

/** The image store against curl fetching the same 1 GiB file from loopback; peak RSS while it runs. */
export async function measureDownload(): Promise<DownloadResult> {
  const { child, url, bytes } = await startServer()
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-bench-'))
  try {
    const curlStarted = performance.now()
    // curl runs beside this process's server: it must not block the event loop that serves it
    await new Promise<void>((resolve, reject) => {
      const curl = spawn('curl', ['-sS', '-o', join(dir, 'curl.img'), `${url}/big/bench.img`], {
        stdio: 'ignore',
      })
      curl.once('error', reject)
      curl.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`curl exited with ${code}`)),
      )
    })
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
    const store = createImageStore({
      imageDir: join(dir, 'images'),
      log: pino({ level: 'silent' }),
    })
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
      bytes,
      storeSeconds,
      curlSeconds,
      throughputRatio: curlSeconds / storeSeconds,
      peakRssMb: peakRss / 1024 ** 2,
      baselineRssMb: baselineRss / 1024 ** 2,
    }
  } finally {
    child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
