import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { productionNodeFlags } from './footprint.js'

export interface DownloadResult {
  bytes: number
  /** medians over the rounds */
  storeSeconds: number
  curlSeconds: number
  throughputRatio: number
  /** the highest peak RSS of the image store's process over the rounds */
  peakRssMb: number
  baselineRssMb: number
  rounds: number
}

interface ChildReport {
  seconds: number
  bytes: number
  peakRss: number
  baselineRss: number
}

const tsx = ['--import', 'tsx']

/** Starts bench/serve-big-file.ts as its own process and reads its URL. */
async function startServer(): Promise<{ child: ChildProcess; url: string; bytes: number }> {
  const child = spawn(
    process.execPath,
    [...tsx, new URL('./serve-big-file.ts', import.meta.url).pathname],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject)
    child.stdout.once('data', (data: Buffer) => resolve(data.toString()))
  })
  const parsed = JSON.parse(line) as { url: string; bytes: number }
  return { child, ...parsed }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (data: Buffer) => (out += data.toString()))
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited with ${code}`)),
    )
  })
}

async function timeCurl(url: string, dir: string): Promise<number> {
  const target = join(dir, 'curl.img')
  const started = performance.now()
  await run('curl', ['-sS', '-o', target, `${url}/big/bench.img`])
  const seconds = (performance.now() - started) / 1000
  rmSync(target)
  return seconds
}

// The store runs in a child of its own, compiled and with Node's flags as in production: its
// peak RSS is the download's, not this bench process's (which holds the results of every other
// section).
async function runStore(url: string): Promise<ChildReport> {
  const child = new URL('./download-child.mjs', import.meta.url).pathname
  const out = await run(process.execPath, [...productionNodeFlags(), child, url])
  return JSON.parse(out) as ChildReport
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

/**
 * The image store against curl fetching the same 1 GiB file from a loopback server, `rounds`
 * times each, alternating so both see the same load on a shared machine; medians compared.
 */
export async function measureDownload(rounds = 3): Promise<DownloadResult> {
  const { child, url, bytes } = await startServer()
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-bench-'))
  try {
    const curl: number[] = []
    const store: ChildReport[] = []
    for (let round = 0; round < rounds; round += 1) {
      curl.push(await timeCurl(url, dir))
      store.push(await runStore(url))
    }
    const storeSeconds = median(store.map((report) => report.seconds))
    const curlSeconds = median(curl)
    return {
      bytes,
      storeSeconds,
      curlSeconds,
      throughputRatio: curlSeconds / storeSeconds,
      peakRssMb: Math.max(...store.map((report) => report.peakRss)) / 1024 ** 2,
      baselineRssMb: median(store.map((report) => report.baselineRss)) / 1024 ** 2,
      rounds,
    }
  } finally {
    child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
