import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep } from '../src/lib/sleep.js'

export interface FootprintResult {
  secondsToFirstOk: number
  idleRssMb: number
}

/** Starts the service as `npm start` does and measures its time to the first `ok` and idle RSS. */
export async function measureFootprint(): Promise<FootprintResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pve-qemu-footprint-'))
  const port = 18000 + Math.floor(Math.random() * 2000)
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  })
  try {
    let secondsToFirstOk = 0
    for (;;) {
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
      await sleep(20)
    }
    await sleep(3000)
    const status = readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return { secondsToFirstOk, idleRssMb: rssKb / 1024 }
  } finally {
    child.kill('SIGTERM')
    await sleep(500)
    rmSync(dataDir, { recursive: true, force: true })
  }
}
