import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runPveQemu, spawnPveQemu } from './run-pve-qemu.js'

const token = 'cli-test-token-0123456789'
let service: ChildProcessWithoutNullStreams
let url = ''
let log = ''
let dataDir = ''
let exited: Promise<number | null>

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 0
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pve-qemu-serve-'))
  const port = await freePort()
  service = spawnPveQemu(['serve', '--port', String(port), '--host', '127.0.0.1'], {
    env: {
      DATA_DIR: dataDir,
      SIM_SPEED: '0',
      GUEST_SSH_PORT: String(await freePort()),
      API_TOKENS: `ops:${token}`,
    },
  })
  exited = new Promise((resolve) => service.once('exit', resolve))
  service.stdout.setEncoding('utf8')
  service.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
  url = `http://127.0.0.1:${port}`
  // the start-up log says where it listens once it does
  await new Promise<void>((resolve, reject) => {
    service.stdout.on('data', (chunk: string) => {
      log += chunk
      if (log.includes(`listening on ${url}`)) resolve()
    })
    void exited.then((code) => reject(new Error(`serve exited with ${String(code)}: ${log}`)))
  })
}, 45_000)

afterAll(async () => {
  if (service.exitCode === null) service.kill('SIGTERM')
  await exited
  rmSync(dataDir, { recursive: true, force: true })
})

describe('pve-qemu serve', () => {
  it('runs the service; the CLI needs the token it was given', async () => {
    const refused = await runPveQemu(['list'], { url })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('needs an API token')
    expect(refused.stderr).toContain('PVE_QEMU_TOKEN')
    const wrong = await runPveQemu(['list'], { url, token: 'not-the-token-at-all' })
    expect(wrong.code).toBe(1)
    const listed = await runPveQemu(['list'], { url, token })
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain('demo-debian')
  })

  it('installs a VM through the separate service process', async () => {
    const run = await runPveQemu(
      ['install', 'rockylinux', '9', '--json', '--passwd', 'Secret-pw-2'],
      { url, token },
    )
    expect(run.code).toBe(0)
    // the events, then the install's result object
    expect(jsonLines(run.stdout).at(-2)).toMatchObject({
      step: 'VM initialization > finalizing',
      status: 'success',
    })
  })

  it('logs JSON lines, request lines with their request id, and no token', () => {
    const lines = jsonLines(log)
    const requests = lines.filter((line) => 'req' in line)
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.every((line) => typeof line.reqId === 'string')).toBe(true)
    expect(log).not.toContain(token)
  })

  it('stops cleanly on SIGTERM', async () => {
    service.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
