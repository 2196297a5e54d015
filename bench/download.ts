import { spawn, type ChildProcess } from 'node:child_process'
import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { productionNodeFlags } from './footprint.js'

export interface DownloadResult {
  bytes: number
  /** medians over the rounds */
  storeSeconds: number
  curlSeconds: number
  throughputRatio: number
  /**
   * curl, then an fsync of its file, timed together: the same durability as the store's (its
   * bytes on disk before the rename), which plain curl leaves in the page cache
   */
  curlSyncSeconds: number
  /** curlSyncSeconds ÷ storeSeconds: the store against curl when both end with the bytes on disk */
  syncedThroughputRatio: number
  /** 1 GiB written in 1 MiB pieces and fsynced (as `dd bs=1M conv=fsync`): the disk's floor */
  diskSeconds: number
  /** the same as a speed, in MB/s (10^6 bytes, as dd says it) */
  diskMBps: number
  /** CPU time (user + system) per download, medians: the store's process, and curl's */
  storeCpuSeconds: number
  curlCpuSeconds: number
  /**
   * how long of its time the store's main thread was ready to run but had no core (median): on
   * a shared machine, the part of the store's time that is the other work's
   */
  storeCpuWaitSeconds: number
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
  cpuSeconds: number
  cpuWaitSeconds: number
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

interface CurlTimes {
  /** until curl exits: its bytes are in the page cache, most not yet on disk */
  seconds: number
  /** until an fsync of its file after that returns */
  syncedSeconds: number
  /** curl's CPU time, user + system */
  cpuSeconds: number
}

// The CPU time of this process's children that have been waited for (Linux /proc, in clock
// ticks of 10 ms): before and after one curl, the difference is curl's.
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // cutime and cstime are fields 16 and 17 of proc(5), counted from 1 with pid and comm first
  return (Number(fields[13]) + Number(fields[14])) / 100
}

// One curl run gives both figures: the fsync starts only once curl has exited, so the first is
// exactly plain curl's time.
async function timeCurl(url: string, dir: string): Promise<CurlTimes> {
  const target = join(dir, 'curl.img')
  const cpuBefore = childrenCpuSeconds()
  const started = performance.now()
  await run('curl', ['-sS', '-o', target, `${url}/big/bench.img`])
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = childrenCpuSeconds() - cpuBefore
  const file = await open(target, 'r')
  try {
    await file.sync()
  } finally {
    await file.close()
  }
  const syncedSeconds = (performance.now() - started) / 1000
  rmSync(target)
  return { seconds, syncedSeconds, cpuSeconds }
}

// The disk alone, in the directory the store and curl write to: no network, no hashing.
function timeDiskWrite(dir: string, bytes: number): number {
  const target = join(dir, 'disk.img')
  const piece = Buffer.alloc(1024 * 1024, 0x5a)
  const started = performance.now()
  const fd = openSync(target, 'w')
  try {
    for (let written = 0; written < bytes; written += piece.length) writeSync(fd, piece)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
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
 * Each round also times curl followed by an fsync of its file, and the disk writing 1 GiB with
 * an fsync, so the figures show how much of the store's time is the disk's: the store must have
 * its bytes on disk before the rename, plain curl does not wait for them.
 */
export async function measureDownload(rounds = 3): Promise<DownloadResult> {
  const { child, url, bytes } = await startServer()
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-bench-'))
  try {
    const curl: CurlTimes[] = []
    const store: ChildReport[] = []
    const disk: number[] = []
    // Each step leaves no dirty pages behind for the next: curl's and the disk's files are
    // synced, the store's too before its child deletes it.
    for (let round = 0; round < rounds; round += 1) {
      curl.push(await timeCurl(url, dir))
      store.push(await runStore(url))
      disk.push(timeDiskWrite(dir, bytes))
    }
    const storeSeconds = median(store.map((report) => report.seconds))
    const curlSeconds = median(curl.map((times) => times.seconds))
    const curlSyncSeconds = median(curl.map((times) => times.syncedSeconds))
    const diskSeconds = median(disk)
    return {
      bytes,
      storeSeconds,
      curlSeconds,
      throughputRatio: curlSeconds / storeSeconds,
      curlSyncSeconds,
      syncedThroughputRatio: curlSyncSeconds / storeSeconds,
      diskSeconds,
      diskMBps: bytes / diskSeconds / 1e6,
      storeCpuSeconds: median(store.map((report) => report.cpuSeconds)),
      curlCpuSeconds: median(curl.map((times) => times.cpuSeconds)),
      storeCpuWaitSeconds: median(store.map((report) => report.cpuWaitSeconds)),
      peakRssMb: Math.max(...store.map((report) => report.peakRss)) / 1024 ** 2,
      baselineRssMb: median(store.map((report) => report.baselineRss)) / 1024 ** 2,
      rounds,
    }
  } finally {
    child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
