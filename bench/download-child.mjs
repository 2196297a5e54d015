import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { URL } from 'node:url'
import { pino } from 'pino'

/**
 * One image-store download of bench/serve-big-file.ts's file, in a process of its own so its
 * peak RSS is the download's and nothing else's, run as production runs it: compiled
 * JavaScript (tsc's output in build/tsc, `npm run build`), no TypeScript loader. Prints one JSON line: seconds,
 * peak RSS (the kernel's high-water mark for this process) and the RSS before the download.
 */
const url = process.argv[2]
if (url === undefined) throw new Error('usage: download-child.mjs <server url>')
const compiled = new URL('../build/tsc/images/index.js', import.meta.url)
if (!existsSync(compiled))
  throw new Error('build/tsc/images/index.js is missing: run npm run build')
const { createImageStore } = await import(compiled.href)

const release = {
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

const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-bench-'))
try {
  const store = createImageStore({ imageDir: join(dir, 'images'), log: pino({ level: 'silent' }) })
  const baselineRss = process.memoryUsage().rss
  const started = performance.now()
  const image = await store.ensure(release)
  const seconds = (performance.now() - started) / 1000
  await store.close()
  const peakRss = process.resourceUsage().maxRSS * 1024
  process.stdout.write(`${JSON.stringify({ seconds, bytes: image.bytes, peakRss, baselineRss })}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
