import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { jsonLines, runPveQemu, spawnPveQemu, type CliRun } from './run-pve-qemu.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

const cli = (...args: string[]): ReturnType<typeof runPveQemu> => runPveQemu(args, { url: t.url })

/** Starts an install over HTTP and hangs up at once, as a dropped client would; the job goes on. */
async function startInstallAndHangUp(name: string): Promise<string> {
  const controller = new AbortController()
  const response = await fetch(`${t.url}/api/vm/install`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ os: 'debian', version: '12', name, passwd: 'Pw-12345' }),
    signal: controller.signal,
  })
  const jobId = response.headers.get('x-job-id')
  controller.abort()
  expect(jobId).toBeTruthy()
  return jobId ?? ''
}

/**
 * Runs `pve-qemu` and calls `onOutput` once its stdout contains `text` (the test lets the job go
 * on there).
 */
async function cliUntil(args: string[], text: string, onOutput: () => void): Promise<CliRun> {
  const child = spawnPveQemu(args, { url: t.url })
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const seen = stdout.includes(text)
    stdout += chunk
    if (!seen && stdout.includes(text)) onOutput()
  })
  child.stdin.end()
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  return { code, stdout, stderr }
}

describe('pve-qemu jobs and attach', () => {
  it('reattaches to a running install and shows it to the end', async () => {
    // the install waits for its VM's SSH until the CLI has attached
    const release = t.simGuests.faults.holdBoots()
    const jobId = await startInstallAndHangUp('attached')
    expect(t.jobs.get(jobId)?.state).toBe('running')
    const run = await cliUntil(['attach', jobId], 'checking VMID', release)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    // replayed from the first stage, followed to the last
    expect(run.stdout).toMatch(/^ {2}✓ checking VMID/m)
    expect(run.stdout).toMatch(/^ {2}✓ finalizing/m)
    expect(run.stdout).toMatch(/ssh -p \d+ debian@127\.0\.0\.\d+$/m)
    expect(t.jobs.get(jobId)?.state).toBe('succeeded')

    const table = await cli('jobs')
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^ID\s+TYPE\s+VM\s+STATE/)
    expect(table.stdout).toMatch(new RegExp(`^${jobId}\\s+install\\s+\\d+\\s+succeeded`, 'm'))
  })

  it('replays from an event number as JSON lines', async () => {
    const jobs = JSON.parse((await cli('jobs', '--json', '--state', 'succeeded')).stdout) as {
      id: string
    }[]
    const jobId = jobs[0]?.id ?? ''
    const events = jsonLines((await cli('attach', jobId, '--after', '5', '--json')).stdout)
    expect(events[0]?.id).toBe('6')
    expect(events.at(-1)).toMatchObject({
      step: 'VM initialization > finalizing',
      status: 'success',
    })
  })

  it('cancels a running install, which then ends cancelled', async () => {
    const release = t.simGuests.faults.holdBoots()
    const jobId = await startInstallAndHangUp('cancelled')
    expect(t.jobs.get(jobId)?.state).toBe('running')
    const cancel = await cli('cancel', jobId)
    expect(cancel.code).toBe(0)
    expect(cancel.stdout).toContain(`job ${jobId} (install) is being cancelled`)
    const attach = await cli('attach', jobId)
    // cancelled is not failed: its own line and exit status
    expect(attach.code).toBe(3)
    expect(attach.stderr).toContain('⊘ cancelled')
    expect(attach.stderr).not.toContain('✗')
    expect(t.jobs.get(jobId)?.state).toBe('cancelled')
    const listed = JSON.parse((await cli('jobs', '--state', 'cancelled', '--json')).stdout) as {
      id: string
    }[]
    expect(listed.map((job) => job.id)).toEqual([jobId])
    const again = await cli('cancel', jobId)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already ended')
    release()
  })

  it('detaches on Ctrl-C, says how to attach again, and leaves the job running', async () => {
    const release = t.simGuests.faults.holdBoots()
    const child = spawnPveQemu(['install', 'debian', '12', '--name', 'detached'], { url: t.url })
    let stdout = ''
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    // interrupt once the first stage is on screen
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        if (stdout.includes('checking VMID')) resolve()
      })
    })
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    const jobId = /attach (\S+)$/m.exec(stderr)?.[1] ?? ''
    expect(stderr).toContain(`detached from job ${jobId}`)
    expect(t.jobs.get(jobId)?.state).toBe('running')
    release()
    expect((await t.jobs.settled(jobId))?.state).toBe('succeeded')
  })

  it('says when a job does not exist', async () => {
    const run = await cli('attach', 'no-such-job')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('no job no-such-job')
  })
})
