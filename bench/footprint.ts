import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sleep } from '../src/lib/sleep.js'
import { startHttpsTarget } from '../test/pve/drivers/api/https-target.js'

export interface FootprintResult {
  configuration: string
  /** wall time from spawn to the first `ok` of /api/health (median of the runs) */
  secondsToFirstOk: number
  /** CPU time (user + system) the service used until that `ok`: steadier than wall time on a
   *  shared machine (median of the runs) */
  cpuSecondsToFirstOk: number
  /** how long of that wall time the service's main thread was ready to run but waited for a
   *  CPU (schedstat): on a shared machine, wall time less this is what it takes alone */
  cpuWaitSecondsToFirstOk: number
  idleRssMb: number
  runs: number
}

/** One start of the service. */
interface FootprintRun {
  secondsToFirstOk: number
  cpuSecondsToFirstOk: number
  cpuWaitSecondsToFirstOk: number
  idleRssMb: number
}

/** How many times each configuration starts; the figures are the medians. */
const defaultRuns = 5

const root = fileURLToPath(new URL('..', import.meta.url))

/** Idle RSS and start time of the compiled service in each configuration the bench reports. */
export async function measureFootprints(runs = defaultRuns): Promise<FootprintResult[]> {
  const results: FootprintResult[] = []
  results.push(
    await measureFootprint('embedded simulator (`PVE_DRIVER=sim`, the default)', {}, runs),
  )
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-footprint-key-'))
  try {
    const key = join(dir, 'id_ed25519')
    writeFileSync(key, 'unused: the main node runs qm locally\n', { mode: 0o600 })
    results.push(
      await measureFootprint(
        'cli driver, real cluster configuration (`MAIN_NODE=pve1`)',
        {
          PVE_DRIVER: 'cli',
          MAIN_NODE: 'pve1',
          NODE_pve1: '127.0.0.1',
          GATEWAY: '127.0.0.1',
          PVE_SSH_KEY: key,
        },
        runs,
      ),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // the cluster: the simulator's HTTPS face in this bench process, so the service is the api
  // driver alone, as against a real node
  const target = await startHttpsTarget()
  try {
    results.push(
      await measureFootprint(
        'api driver, real cluster configuration (`PVE_API_URL` on loopback)',
        {
          PVE_DRIVER: 'api',
          MAIN_NODE: 'pve1',
          GATEWAY: '127.0.0.1',
          PVE_API_URL: target.face.url,
          PVE_TOKEN_ID: 'pve-qemu@pve!contract',
          PVE_TOKEN_SECRET: target.secret,
          PVE_TLS_FINGERPRINT: target.face.fingerprint256,
        },
        runs,
      ),
    )
  } finally {
    await target.close()
  }
  return results
}

/**
 * The Node flags `npm start` (and, kept in step by test/deploy/systemd-unit.test.ts, the systemd
 * unit) run the service with, such as `--max-semi-space-size=2`.
 */
export function productionNodeFlags(): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  return (manifest.scripts.start ?? '').split(' ').filter((word) => word.startsWith('--'))
}

/**
 * Starts the compiled service `runs` times as `npm start` and the systemd unit do (`node <flags>
 * dist/main.js`), each time measuring its wall and CPU time to the first `ok` from /api/health
 * and its RSS after 3 idle seconds; returns the medians.
 */
export async function measureFootprint(
  configuration: string,
  env: Record<string, string>,
  runs = defaultRuns,
): Promise<FootprintResult> {
  const measured: FootprintRun[] = []
  for (let run = 0; run < runs; run++) measured.push(await startOnce(configuration, env))
  const median = (pick: (run: FootprintRun) => number): number => {
    const sorted = measured.map(pick).sort((a, b) => a - b)
    const middle = Math.floor(sorted.length / 2)
    return sorted.length % 2 === 1
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
  }
  return {
    configuration,
    secondsToFirstOk: median((run) => run.secondsToFirstOk),
    cpuSecondsToFirstOk: median((run) => run.cpuSecondsToFirstOk),
    cpuWaitSecondsToFirstOk: median((run) => run.cpuWaitSecondsToFirstOk),
    idleRssMb: median((run) => run.idleRssMb),
    runs,
  }
}

/** The entry point `npm start` runs (the `dist/...js` word of the start script). */
export function productionEntry(): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  const entry = (manifest.scripts.start ?? '').split(' ').find((word) => word.endsWith('.js'))
  return join(root, entry ?? join('dist', 'main.js'))
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const clockTicks = 100

/** User + system CPU seconds `pid` has used so far. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3
  return (Number(fields[11]) + Number(fields[12])) / clockTicks
}

/** Seconds the main thread of `pid` has waited on a run queue (the second field of schedstat). */
function cpuWaitSecondsOf(pid: number): number {
  const schedstat = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')
  return Number(schedstat.split(' ')[1] ?? 0) / 1e9
}

async function startOnce(
  configuration: string,
  env: Record<string, string>,
): Promise<FootprintRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pve-qemu-footprint-'))
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [...productionNodeFlags(), productionEntry()], {
    cwd: dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  })
  try {
    let secondsToFirstOk = 0
    let cpuSecondsToFirstOk = 0
    let cpuWaitSecondsToFirstOk = 0
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${configuration}: the service exited`)
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`)
        if ((await response.text()) === 'ok') {
          secondsToFirstOk = (performance.now() - started) / 1000
          cpuSecondsToFirstOk = cpuSecondsOf(child.pid ?? 0)
          cpuWaitSecondsToFirstOk = cpuWaitSecondsOf(child.pid ?? 0)
          break
        }
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 60_000)
        throw new Error('the service did not answer within 60 s')
      await sleep(10)
    }
    await sleep(3000)
    const status = readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return {
      secondsToFirstOk,
      cpuSecondsToFirstOk,
      cpuWaitSecondsToFirstOk,
      idleRssMb: rssKb / 1024,
    }
  } finally {
    child.kill('SIGTERM')
    if (child.exitCode === null) await once(child, 'exit')
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export interface InstalledDependency {
  name: string
  version: string
  /** bytes on disk of the package and everything it alone pulls in */
  bytes: number
}

/**
 * The runtime dependencies (package.json `dependencies`) with their installed size, each with
 * the transitive packages it brings, as `npm ci --omit=dev` would install them.
 */
export function runtimeDependencies(): { direct: InstalledDependency[]; totalBytes: number } {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<
      string,
      { version?: string; dev?: boolean; dependencies?: Record<string, string> }
    >
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
  }
  const runtime = Object.entries(lock.packages).filter(
    ([path, entry]) => path.startsWith('node_modules/') && entry.dev !== true,
  )
  const totalBytes = runtime.reduce((sum, [path]) => sum + sizeOf(join(root, path), false), 0)
  const direct = Object.keys(manifest.dependencies).map((name) => {
    const path = `node_modules/${name}`
    return {
      name,
      version: lock.packages[path]?.version ?? '?',
      bytes: sizeOf(join(root, path), false),
    }
  })
  return { direct: direct.sort((a, b) => b.bytes - a.bytes), totalBytes }
}

/** Bytes of the files under `path`; nested node_modules count separately unless asked. */
function sizeOf(path: string, nested: boolean): number {
  let bytes = 0
  let entries
  try {
    entries = readdirSync(path, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = join(path, entry.name)
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' && !nested) continue
      bytes += sizeOf(full, nested)
    } else if (entry.isFile()) {
      bytes += statSync(full).size
    }
  }
  return bytes
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  return typeof address === 'object' && address !== null ? address.port : 0
}
