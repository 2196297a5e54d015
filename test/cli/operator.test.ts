import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { runPveQemu, spawnPveQemu } from './run-pve-qemu.js'

let t: TestApp
/** a HOME without any SSH key */
let bareHome: string

beforeAll(async () => {
  // one install at a time, so a second one waits in line for as long as a test needs; the tests
  // keep an install running by holding its VM's SSH (neverAnswer), not by a slow simulator
  t = await buildTestApp({ env: { MAX_CONCURRENT_INSTALLS: '1' } })
  bareHome = mkdtempSync(join(tmpdir(), 'pve-qemu-home-'))
})
afterAll(async () => {
  await t.close()
  rmSync(bareHome, { recursive: true, force: true })
})

const cli = (args: string[], home = bareHome): ReturnType<typeof runPveQemu> =>
  runPveQemu(args, { url: t.url, env: { HOME: home } })

/** Runs `pve-qemu` in the background; resolves its output when it exits. */
function background(args: string[]): {
  stdout: () => string
  done: Promise<{ code: number | null; stdout: string; stderr: string }>
  interrupt: () => void
} {
  const child = spawnPveQemu(args, { url: t.url, env: { HOME: bareHome } })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdin.end()
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  )
  return { stdout: () => stdout, done, interrupt: () => child.kill('SIGINT') }
}

/** The job running on `vmid`, once the service has one. */
async function jobOn(vmid: number): Promise<string> {
  await expect.poll(() => t.jobs.activeOn(vmid)?.id, { timeout: 20_000 }).toBeDefined()
  return t.jobs.activeOn(vmid)?.id ?? ''
}

describe('a generated password is never lost (issue 15.1)', () => {
  it('Ctrl-C says how to get it back; pve-qemu credentials gives it once, by a prefix of the job id', async () => {
    // an install that holds the only slot until it is cancelled
    t.simGuests.faults.neverAnswer(103)
    const blocker = new AbortController()
    await fetch(`${t.url}/api/vm/install`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ os: 'debian', version: '12', passwd: 'Pw-123456' }),
      signal: blocker.signal,
    })
    blocker.abort()
    const blocking = await jobOn(103)

    const run = background(['install', 'debian', '12', '--no-key'])
    await expect.poll(() => run.stdout(), { timeout: 20_000 }).toContain('free install slot')
    const jobId = t.jobs.list({ state: 'queued' })[0]?.id ?? ''
    run.interrupt()
    const detached = await run.done
    expect(detached.code).toBe(130)
    expect(detached.stderr).toContain(`detached from job ${jobId}`)
    expect(detached.stderr).toContain(
      `its generated password is kept for you: pve-qemu credentials ${jobId} (once, within 24 h)`,
    )
    // the install goes on and finishes without anyone watching
    t.simGuests.faults.clear()
    t.jobs.cancel(blocking)
    expect((await t.jobs.settled(jobId))?.state).toBe('succeeded')

    const shown = await cli(['credentials', jobId.slice(0, 8)])
    expect(shown.stderr).toContain('the service has now forgotten this password')
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/^Password {2}\w{20}$/m)
    expect(shown.stdout).toMatch(
      new RegExp(`^SSH {7}ssh -p ${t.config.install.guestSshPort} debian@127\\.0\\.0\\.\\d+$`, 'm'),
    )
    const again = await cli(['credentials', jobId.slice(0, 8)])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('was already retrieved')
  }, 60_000)

  it("uses the user's own ~/.ssh/id_ed25519.pub when no key or password is given", async () => {
    const home = mkdtempSync(join(tmpdir(), 'pve-qemu-home-'))
    try {
      mkdirSync(join(home, '.ssh'))
      const key =
        'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHVzZXJzT3duS2V5Rm9yVGhlRGVmYXVsdFRlc3Q0 me@laptop'
      writeFileSync(join(home, '.ssh', 'id_ed25519.pub'), `${key}\n`)
      const run = await cli(['install', 'debian', '12', '--name', 'keyed'], home)
      expect(run.code).toBe(0)
      expect(run.stderr).toContain('using your key ~/.ssh/id_ed25519.pub')
      expect(run.stdout).not.toContain('Password')
      const vmid = Number(/VM (\d+) is ready/.exec(run.stdout)?.[1])
      const config = t.sim.snapshot().vms.find((vm) => vm.vmid === vmid)?.config ?? {}
      expect(decodeURIComponent(config.sshkeys ?? '')).toContain(key)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('what a program reads (issue 15.4)', () => {
  it('reports a cancelled job as cancelled, with its own exit status', async () => {
    for (let vmid = 103; vmid <= 110; vmid += 1) t.simGuests.faults.neverAnswer(vmid)
    const run = background(['install', 'debian', '12', '--passwd', 'Pw-123456'])
    const jobId = await expect
      .poll(() => t.jobs.list({ state: 'running', type: 'install' })[0]?.id, { timeout: 20_000 })
      .toBeDefined()
      .then(() => t.jobs.list({ state: 'running', type: 'install' })[0]?.id ?? '')
    await expect.poll(() => run.stdout(), { timeout: 20_000 }).toContain('waiting for ready')
    const cancel = await cli(['cancel', jobId.slice(0, 6), '--json'])
    expect(cancel.code).toBe(0)
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id: jobId, type: 'install' })
    const ended = await run.done
    expect(ended.code).toBe(3)
    expect(ended.stderr).toContain('⊘ cancelled: cleaned up')
    expect(ended.stderr).not.toContain('✗')
    t.simGuests.faults.clear()
  }, 60_000)

  it('prints jobs in the API snake_case with --json', async () => {
    const run = await cli(['jobs', '--json'])
    const jobs = JSON.parse(run.stdout) as Record<string, unknown>[]
    expect(jobs.length).toBeGreaterThan(0)
    for (const job of jobs) {
      expect(job).toHaveProperty('created_at')
      expect(job).not.toHaveProperty('createdAt')
      expect(job).not.toHaveProperty('endedAt')
    }
  })

  it('says when the service cannot be reached, with exit status 4', async () => {
    const run = await runPveQemu(['list'], { url: 'http://127.0.0.1:1', env: { HOME: bareHome } })
    expect(run.code).toBe(4)
    expect(run.stderr).toContain('cannot reach pve-qemu at http://127.0.0.1:1')
    const help = await cli(['help'])
    expect(help.stdout).toContain('3 the job was cancelled, 4 the service could not be reached')
  })
})

describe('pve-qemu info and list (issue 15.2)', () => {
  it('shows where a VM runs, the exact SSH command, its config and its jobs', async () => {
    const run = await cli(['info', '100'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Node {5}pve1$/m)
    expect(run.stdout).toMatch(/^State {4}running$/m)
    expect(run.stdout).toMatch(/^IP {7}127\.0\.0\.100$/m)
    expect(run.stdout).toMatch(
      new RegExp(`^SSH {6}ssh -p ${t.config.install.guestSshPort} debian@127\\.0\\.0\\.100$`, 'm'),
    )
    expect(run.stdout).toMatch(/^ {2}cores {6}2$/m)
    expect(run.stdout).not.toContain('cipassword')
    const json = JSON.parse((await cli(['info', '100', '--json'])).stdout) as Record<
      string,
      unknown
    >
    expect(json).toMatchObject({ vmid: 100, node: 'pve1', ip: '127.0.0.100' })
  })

  it('lists each VM with its IP', async () => {
    await expect
      .poll(async () => (await cli(['list'])).stdout, { timeout: 20_000 })
      .toMatch(/^\s*100\s+demo-debian\s+\S+\s+pve1\s+127\.0\.0\.100\s/m)
  })
})
