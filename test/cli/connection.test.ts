import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { runPveQemu, spawnPveQemu } from './run-pve-qemu.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

const cli = (...args: string[]): ReturnType<typeof runPveQemu> => runPveQemu(args, { url: t.url })

describe('pve-qemu', () => {
  it('lists its commands, and a bare call is a usage error', async () => {
    const help = await cli('help')
    expect(help.code).toBe(0)
    for (const command of [
      'serve',
      'install',
      'list',
      'status',
      'start',
      'stop',
      'shutdown',
      'reboot',
      'destroy',
      'set',
      'jobs',
      'attach',
    ]) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'))
    }
    expect(help.stdout).toContain('PVE_QEMU_URL')
    const bare = await cli()
    expect(bare.code).toBe(2)
    const unknown = await cli('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "frobnicate"')
  })
})

describe('pve-qemu in a pipeline', () => {
  it('stops quietly when the reader of its output goes away', async () => {
    const child = spawnPveQemu(['help'])
    child.stdout.destroy()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })
})

describe('pve-qemu and the service address', () => {
  let stub: Server
  let stubUrl = ''
  const seen: (string | undefined)[] = []

  beforeAll(async () => {
    stub = createServer((request, response) => {
      seen.push(request.headers.authorization)
      response.writeHead(401, { 'content-type': 'application/json' })
      response.end(
        '{"success":false,"code":"UNAUTHORIZED","message":"a valid API token is required"}',
      )
    })
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve))
    const address = stub.address()
    stubUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  })
  afterAll(async () => {
    await new Promise((resolve) => stub.close(resolve))
  })

  it('sends PVE_QEMU_TOKEN as a bearer token and says what to do on 401', async () => {
    const run = await runPveQemu(['list'], { url: stubUrl, token: 'tok-123' })
    expect(seen).toContain('Bearer tok-123')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('a valid API token is required')
    expect(run.stderr).toContain('PVE_QEMU_TOKEN')
  })

  it('says the service cannot be reached, and where it looked', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`
    const run = await runPveQemu(['list'], { url: closed })
    expect(run.code).toBe(4)
    expect(run.stderr).toContain(`cannot reach pve-qemu at ${closed} (ECONNREFUSED)`)
    const flag = await runPveQemu(['list', '--url', 'ftp://nowhere'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toContain('is not an http(s) URL')
  })
})

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address !== null ? address.port : 1
}
