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
  secondsToFirstOk: number
  idleRssMb: number
}

const root = fileURLToPath(new URL('..', import.meta.url))

/** Idle RSS and start time of the compiled service in each configuration the bench reports. */
export async function measureFootprints(): Promise<FootprintResult[]> {
  const results: FootprintResult[] = []
  results.push(await measureFootprint('embedded simulator (`PVE_DRIVER=sim`, the default)', {}))
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-footprint-key-'))
  try {
    const key = join(dir, 'id_ed25519')
    writeFileSync(key, 'unused: the main node runs qm locally\n', { mode: 0o600 })
    results.push(
      await measureFootprint('cli driver, real cluster configuration (`MAIN_NODE=pve1`)', {
        PVE_DRIVER: 'cli',
        MAIN_NODE: 'pve1',
        NODE_pve1: '127.0.0.1',
        GATEWAY: '127.0.0.1',
        PVE_SSH_KEY: key,
      }),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  // the cluster: the simulator's HTTPS face in this bench process, so the service is the api
  // driver alone, as against a real node
  const target = await startHttpsTarget()
  try {
    results.push(
      await measureFootprint('api driver, real cluster configuration (`PVE_API_URL` on loopback)', {
        PVE_DRIVER: 'api',
        MAIN_NODE: 'pve1',
        GATEWAY: '127.0.0.1',
        PVE_API_URL: target.face.url,
        PVE_TOKEN_ID: 'pve-qemu@pve!contract',
        PVE_TOKEN_SECRET: target.secret,
        PVE_TLS_FINGERPRINT: target.face.fingerprint256,
      }),
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
 * Starts the compiled service as `npm start` and the systemd unit do (`node <flags>
 * dist/main.js`) and measures its time to the first `ok` from /api/health and its RSS after 3
 * idle seconds.
 */
export async function measureFootprint(
  configuration: string,
  env: Record<string, string>,
): Promise<FootprintResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pve-qemu-footprint-'))
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, [...productionNodeFlags(), join(root, 'dist', 'main.js')], {
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
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${configuration}: the service exited`)
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/health`)
        if ((await response.text()) === 'ok') {
          secondsToFirstOk = (performance.now() - started) / 1000
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
    return { configuration, secondsToFirstOk, idleRssMb: rssKb / 1024 }
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
