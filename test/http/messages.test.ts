import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp
beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

async function send(
  path: string,
  body: string,
  type = 'application/json',
): Promise<{ status: number; message: string }> {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body,
  })
  const text = await response.text()
  if (!(response.headers.get('content-type') ?? '').includes('json'))
    return { status: response.status, message: text }
  const parsed = JSON.parse(text) as { message: string }
  return { status: response.status, message: parsed.message }
}

describe('messages in plain language (issue 15.6)', () => {
  it.each([
    ['{"os":"fedora","version":"1"}', 'os: must be one of debian, ubuntu, rockylinux'],
    [
      '{"os":"debian","version":"12","name":"bad_name"}',
      'name: must be a host name: letters, digits and hyphens (not first or last), at most 63 characters, e.g. web-01',
    ],
    [
      '{"os":"debian","version":"12","disk":"lots"}',
      'disk: must be a size in G (or M, T), e.g. 20G, 512M or 1T',
    ],
    [
      '{"os":"debian","version":"12","cpu":"many"}',
      'cpu: must be a whole number in decimal digits (no sign, exponent, hex or leading zero), got "many"',
    ],
    [
      '{"os":"debian","version":"12","pubkey":"nope"}',
      'pubkey: must be one OpenSSH public key line: type, base64 key and an optional comment, e.g. ssh-ed25519 AAAA… you@host',
    ],
    ['{"version":"12"}', 'os: is required'],
  ])('install %s says one line naming the field', async (body, expected) => {
    const answer = await send('/api/vm/install', body)
    expect(answer).toEqual({ status: 400, message: expected })
    expect(answer.message).not.toMatch(/anyOf|schema|\^|\$"|constant/)
  })

  it('says what the VM routes allow, without regular expressions', async () => {
    expect(await send('/api/vm/101/set/disk', '{"disk":"ten"}')).toEqual({
      status: 400,
      message: 'disk: must be a size in G (or M, T), e.g. 20G, 512M or 1T',
    })
    expect(await send('/api/vm/101/set/cpu', '{"cpu":99}')).toEqual({
      status: 400,
      message: 'cpu: must be at most 32',
    })
    expect(await send('/api/vm/abc/start', '')).toEqual({
      status: 400,
      message:
        'id: must be a whole number in decimal digits (no sign, exponent, hex or leading zero), got "abc"',
    })
  })

  it('tells a client sending another content type to send JSON', async () => {
    const form = await send('/api/vm/install', 'os=debian', 'application/x-www-form-urlencoded')
    expect(form).toEqual({
      status: 415,
      message:
        'send the body as JSON with the header Content-Type: application/json (got application/x-www-form-urlencoded)',
    })
    const text = await send('/api/vm/101/set/cpu', 'cpu=4', 'text/plain')
    expect(text.message).toBe(
      'body: must be a JSON object, sent with Content-Type: application/json',
    )
  })

  it('names the failed stage of an install once', async () => {
    t.sim.faults.inject({ operation: 'create', vmid: 103, message: 'injected failure' })
    const read = await readSse(`${t.url}/api/vm/install`, { body: { os: 'debian', version: '12' } })
    const last = read.steps.at(-1)
    expect(last?.step).toBe('VM creation > creating VM')
    const times = (last?.message ?? '').split('VM creation > creating VM').length - 1
    expect(times).toBe(1)
    const jobId = read.headers.get('x-job-id') ?? ''
    const job = (await (await fetch(`${t.url}/api/jobs/${jobId}`)).json()) as {
      job: { error: string }
    }
    expect(job.job.error.split('creating VM').length - 1).toBe(1)
  })
})

describe('starting on a port that is taken (issue 15.6)', () => {
  const tsxLoader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href
  const mainFile = new URL('../../src/main.ts', import.meta.url).pathname

  it('says the port is taken and how to pick another', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-port-'))
    try {
      const child = spawn(process.execPath, ['--import', tsxLoader, mainFile], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: join(dir, 'data'),
          SIM_SPEED: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
      expect(code).toBe(1)
      expect(stderr).toContain(
        `pve-qemu failed to start: port ${port} on 127.0.0.1 is already taken by another program (another pve-qemu?); stop it, or pick another port: PORT=${port + 1} npm start`,
      )
      expect(stderr).not.toContain('EADDRINUSE')
    } finally {
      blocker.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
