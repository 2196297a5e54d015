import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, watch } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, storePath } from '../../src/store/index.js'
import { readSse } from '../helpers/sse-client.js'
import { openStream } from '../jobs/helpers/live-stream.js'

/** The compiled service, as `npm start` and the systemd unit run it (built by the global setup). */
const mainFile = fileURLToPath(new URL('../../dist/main.js', import.meta.url))

const children: ChildProcess[] = []
const dirs: string[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  return typeof address === 'object' && address !== null ? address.port : 0
}

interface Service {
  child: ChildProcess
  url: string
  output: () => string
}

/**
 * Starts `node dist/main.js` as its own process, as systemd would, in a directory
 * with no `.env`, and resolves once it logs that it listens.
 */
async function startService(env: Record<string, string>, cwd: string): Promise<Service> {
  const child = spawn(process.execPath, [mainFile], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const address = /"msg":"listening on (http:\/\/[^"]+)"/.exec(output)?.[1]
      if (address !== undefined) resolve(address)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code, signal) =>
      reject(new Error(`service exited (${code ?? signal ?? '?'}) before listening:\n${output}`)),
    )
  })
  return { child, url: await listening, output: () => output }
}

/** Resolves when `check` holds, looking again each time something in `dir` changes. */
async function whenFileSays(dir: string, check: () => boolean): Promise<void> {
  const watcher = watch(dir)
  try {
    while (!check()) await once(watcher, 'change')
  } finally {
    watcher.close()
  }
}

function simulatedVms(dataDir: string): { vmid: number; power: string }[] {
  try {
    const state = JSON.parse(readFileSync(join(dataDir, 'sim-state.json'), 'utf8')) as {
      vms: { vmid: number; power: string }[]
    }
    return state.vms
  } catch {
    return []
  }
}

describe('a crash in the middle of an install', () => {
  it('leaves no VM behind and the job reads interrupted after the next start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'pve-qemu-crash-'))
    dirs.push(home)
    const dataDir = join(home, 'data')
    const env = {
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      GUEST_SSH_PORT: String(await freePort()),
      SIM_SPEED: '0.2',
      LOG_LEVEL: 'info',
    }

    const first = await startService(env, home)
    const install = await openStream(`${first.url}/api/vm/install`, {
      method: 'POST',
      body: { os: 'debian', version: '12', name: 'half-made' },
    })
    const jobId = install.headers.get('x-job-id') ?? ''
    await install.until((event) => event.data.message === '[*] waiting for SSH on 127.0.0.103')
    // the simulated cluster has written the started VM to disk: it will outlive the crash
    await whenFileSays(dataDir, () =>
      simulatedVms(dataDir).some((vm) => vm.vmid === 103 && vm.power === 'running'),
    )
    expect((await fetch(`${first.url}/api/jobs/${jobId}`)).status).toBe(200)
    // the stream dies with the process, without its close frame (watched from before the kill:
    // the connection may drop before the exit is reported)
    const streamDied = expect(install.ended).rejects.toThrow()
    first.child.kill('SIGKILL')
    await once(first.child, 'exit')
    await streamDied
    expect(install.closed()).toBe(false)

    const second = await startService(env, home)
    expect(second.output()).toContain('half-made VM removed')
    const job = (await (await fetch(`${second.url}/api/jobs/${jobId}`)).json()) as {
      job: { state: string; vmid: number; error: string }
    }
    expect(job.job).toMatchObject({
      state: 'interrupted',
      vmid: 103,
      error:
        'interrupted: the service stopped while this install ran; cleaned up: VM 103 and its disks removed, reservation released',
    })
    const list = (await (await fetch(`${second.url}/api/vm/list`)).json()) as {
      vms: { vmid: number }[]
    }
    expect(list.vms.map((vm) => vm.vmid)).toEqual([100, 101, 102])
    const replay = await readSse(`${second.url}/api/jobs/${jobId}/events`, { method: 'GET' })
    expect(replay.closed).toBe(true)
    expect(replay.steps.at(-1)).toMatchObject({ status: 'error', message: `[-] ${job.job.error}` })

    second.child.kill('SIGTERM')
    const [code] = (await once(second.child, 'exit')) as [number | null]
    expect(code).toBe(0)
    const store = openStore({ path: storePath(dataDir) })
    try {
      expect(store.reservations.reserved().size).toBe(0)
    } finally {
      store.close()
    }
  }, 60_000)
})
