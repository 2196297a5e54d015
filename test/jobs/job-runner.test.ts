import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createJobRunner,
  queuedStep,
  type JobEventRecord,
  type JobRunner,
} from '../../src/jobs/index.js'
import type { ReportStep } from '../../src/provision/progress.js'
import { openStore, storePath, type Store } from '../../src/store/index.js'

let store: Store
let jobs: JobRunner

beforeEach(() => {
  store = openStore({ path: ':memory:' })
  jobs = createJobRunner({ store })
})
afterEach(async () => {
  await jobs.stopAll()
  store.close()
})

/** A promise the test resolves when it wants the work to go on. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined
  const wait = new Promise<void>((resolve) => {
    open = resolve
  })
  return { wait, open }
}

async function collect(
  runner: JobRunner,
  id: string,
  afterSeq = 0,
  signal = new AbortController().signal,
  options: { sensitive?: boolean } = {},
): Promise<JobEventRecord[]> {
  const events: JobEventRecord[] = []
  for await (const event of runner.follow(id, afterSeq, signal, options)) events.push(event)
  return events
}

const redacted = (id: string): string =>
  `[*] Password: (not stored; whoever started the job can get it once within 24 h: pve-qemu credentials ${id}, or GET /api/jobs/${id}/credentials)`

const say = (report: ReportStep, message: string): void =>
  report({ step: 'working', status: 'processing', message })

describe('a job', () => {
  it('stores each event as it happens and replays after any sequence number', async () => {
    const step = gate()
    const job = jobs.start({ type: 'install', summary: 'debian 12' }, async (report) => {
      say(report, 'one')
      say(report, 'two')
      await step.wait
      say(report, 'three')
    })
    await Promise.resolve()
    await Promise.resolve()
    expect(store.events.after(job.id, 0).map((event) => event.message)).toEqual(['one', 'two'])
    expect(jobs.get(job.id)).toMatchObject({ state: 'running', summary: 'debian 12' })
    step.open()
    expect(await jobs.settled(job.id)).toMatchObject({ state: 'succeeded' })
    expect(
      (await collect(jobs, job.id, 1)).map((record) => [record.seq, record.event.message]),
    ).toEqual([
      [2, 'two'],
      [3, 'three'],
    ])
  })

  it('does not run its work before start has returned', () => {
    const ran: string[] = []
    const job = jobs.start({ type: 'start', vmid: 101 }, async () => {
      ran.push('work')
    })
    ran.push(`started ${job.state}`)
    expect(ran).toEqual(['started running'])
  })

  it('records a failure as an error event and the job error', async () => {
    const job = jobs.start({ type: 'reboot', vmid: 101 }, async (report) => {
      say(report, 'trying')
      throw new Error('VM 101 is not running')
    })
    expect(await jobs.settled(job.id)).toMatchObject({
      state: 'failed',
      error: 'VM 101 is not running',
    })
    const last = (await collect(jobs, job.id)).at(-1)
    expect(last?.event).toEqual({
      step: 'working',
      status: 'error',
      message: '[-] VM 101 is not running',
    })
  })

  it('shows a sensitive event to the starting stream only; the store and later replays get it redacted', async () => {
    const step = gate()
    const job = jobs.start({ type: 'install' }, async (report) => {
      await step.wait
      report({
        step: 'finalizing',
        status: 'success',
        message: '[*] Password: Zq8secretVALUE',
        sensitive: true,
      })
    })
    const watching = collect(jobs, job.id, 0, undefined, { sensitive: true })
    step.open()
    const live = await watching
    expect(live.map((record) => record.event.message)).toEqual(['[*] Password: Zq8secretVALUE'])
    expect(JSON.stringify(store.events.after(job.id, 0))).not.toContain('Zq8secretVALUE')
    const later = createJobRunner({ store })
    expect((await collect(later, job.id))[0]?.event.message).toBe(redacted(job.id))
  })
})

describe('a sensitive event', () => {
  it('reaches only the starting stream while it watches; another live watcher and a replay get it redacted', async () => {
    const [shown, done] = [gate(), gate()]
    const job = jobs.start({ type: 'install' }, async (report) => {
      report({
        step: 'finalizing',
        status: 'success',
        message: '[*] Password: Xy7',
        sensitive: true,
      })
      shown.open()
      await done.wait
    })
    const messages = async (options: { sensitive?: boolean }): Promise<string[]> =>
      (await collect(jobs, job.id, 0, undefined, options)).map((record) => record.event.message)
    const starter = messages({ sensitive: true })
    const other = messages({})
    await shown.wait
    const replay = messages({ sensitive: true })
    done.open()
    expect(await starter).toEqual(['[*] Password: Xy7'])
    expect(await other).toEqual([redacted(job.id)])
    expect(await replay).toEqual([redacted(job.id)])
  })
})

describe('following', () => {
  it('gives several watchers every event exactly once; one leaving changes nothing', async () => {
    const steps = [gate(), gate()]
    const job = jobs.start({ type: 'install' }, async (report) => {
      say(report, 'a')
      await steps[0]?.wait
      say(report, 'b')
      await steps[1]?.wait
      say(report, 'c')
    })
    const leaving = new AbortController()
    const first: string[] = []
    const firstDone = (async () => {
      for await (const record of jobs.follow(job.id, 0, leaving.signal)) {
        first.push(record.event.message)
        if (record.event.message === 'a') leaving.abort()
      }
    })()
    const second = collect(jobs, job.id)
    await firstDone
    steps[0]?.open()
    steps[1]?.open()
    expect((await second).map((record) => record.seq)).toEqual([1, 2, 3])
    expect(first).toEqual(['a'])
    expect(await jobs.settled(job.id)).toMatchObject({ state: 'succeeded' })
  })

  it('ends at once for an unknown job and replays a finished one', async () => {
    expect(await collect(jobs, 'no-such-job')).toEqual([])
    const job = jobs.start({ type: 'start' }, async (report) => say(report, 'done'))
    await jobs.settled(job.id)
    expect((await collect(jobs, job.id)).map((record) => record.event.message)).toEqual(['done'])
    expect(await collect(jobs, job.id, 1)).toEqual([])
  })
})

describe('cancel', () => {
  it('aborts the work and records the job as cancelled with its own words', async () => {
    const job = jobs.start({ type: 'install' }, async (report, signal) => {
      say(report, 'building')
      await new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () =>
          reject(new Error('install cancelled; cleaned up: VM 105 removed')),
        )
      })
    })
    for await (const record of jobs.follow(job.id, 0, new AbortController().signal)) {
      if (record.event.message === 'building') break
    }
    expect(jobs.cancel(job.id)).toBe(true)
    expect(await jobs.settled(job.id)).toMatchObject({
      state: 'cancelled',
      error: 'install cancelled; cleaned up: VM 105 removed',
    })
    expect(jobs.cancel(job.id)).toBe(false)
    expect(jobs.cancel('no-such-job')).toBe(false)
  })
})

describe('a cap on concurrent jobs of a type', () => {
  it('queues the rest, tells them their place, and starts them in order', async () => {
    jobs = createJobRunner({ store, maxConcurrent: { install: 1 } })
    const first = gate()
    const order: string[] = []
    const a = jobs.start({ type: 'install' }, async () => {
      order.push('a')
      await first.wait
    })
    const b = jobs.start({ type: 'install' }, async () => {
      order.push('b')
    })
    const c = jobs.start({ type: 'install' }, async () => {
      order.push('c')
    })
    const other = jobs.start({ type: 'start' }, async () => {
      order.push('start')
    })
    await jobs.settled(other.id)
    expect(jobs.get(b.id)?.state).toBe('queued')
    expect(
      jobs
        .list({ state: 'queued' })
        .map((job) => job.id)
        .sort(),
    ).toEqual([b.id, c.id].sort())
    const queued = store.events.after(c.id, 0)
    expect(queued[0]).toMatchObject({ step: queuedStep, status: 'processing' })
    expect(queued[0]?.message).toMatch(
      /^\[\*\] waiting for a free install slot: 1 of 1 running; this one is number 2 in line$/,
    )
    first.open()
    await jobs.settled(c.id)
    expect(order.filter((name) => name !== 'start')).toEqual(['a', 'b', 'c'])
    const messages = store.events.after(c.id, 0).map((event) => event.message)
    expect(messages).toContain(
      '[*] waiting for a free install slot: 1 of 1 running; this one is next in line',
    )
    expect(messages.at(-1)).toMatch(/^\[\+\] a slot is free; starting \(\d+\.\d\ds\)$/)
    expect(jobs.get(a.id)?.state).toBe('succeeded')
  })

  it('lets a queued job be cancelled without running it', async () => {
    jobs = createJobRunner({ store, maxConcurrent: { install: 1 } })
    const first = gate()
    jobs.start({ type: 'install' }, () => first.wait)
    let ran = false
    const waiting = jobs.start({ type: 'install' }, async () => {
      ran = true
    })
    await Promise.resolve()
    expect(jobs.cancel(waiting.id)).toBe(true)
    expect(await jobs.settled(waiting.id)).toMatchObject({
      state: 'cancelled',
      error: 'cancelled by request',
    })
    first.open()
    expect(ran).toBe(false)
  })
})

describe('records', () => {
  it('tracks the VMID a job works on and which job is active on a VM', async () => {
    const step = gate()
    const job = jobs.start({ type: 'install' }, () => step.wait)
    expect(jobs.activeOn(150)).toBeUndefined()
    jobs.setVmid(job.id, 150)
    expect(jobs.activeOn(150)?.id).toBe(job.id)
    expect(jobs.list({ vmid: 150 }).map((entry) => entry.id)).toEqual([job.id])
    step.open()
    await jobs.settled(job.id)
    expect(jobs.activeOn(150)).toBeUndefined()
    expect(jobs.get(job.id)?.vmid).toBe(150)
  })

  it('refuses a second job with the same idempotency key and finds the first by it', () => {
    const job = jobs.start(
      { type: 'install', idempotency: { key: 'k1', fingerprint: 'scrypt:a:b' } },
      async () => undefined,
    )
    expect(() =>
      jobs.start(
        { type: 'install', idempotency: { key: 'k1', fingerprint: 'scrypt:c:d' } },
        async () => undefined,
      ),
    ).toThrow(expect.objectContaining({ code: 'JOB_IDEMPOTENCY_CONFLICT' }))
    expect(jobs.findByIdempotencyKey('k1')).toMatchObject({
      job: { id: job.id, idempotencyKey: 'k1' },
      fingerprint: 'scrypt:a:b',
    })
  })

  it('are still there for a runner started later on the same database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-jobs-'))
    try {
      const file = openStore({ path: storePath(dir) })
      const first = createJobRunner({ store: file })
      const job = first.start({ type: 'migrate', vmid: 102 }, async (report) =>
        say(report, 'moved'),
      )
      await first.settled(job.id)
      file.close()
      const reopened = openStore({ path: storePath(dir) })
      const second = createJobRunner({ store: reopened })
      expect(second.get(job.id)).toMatchObject({ type: 'migrate', vmid: 102, state: 'succeeded' })
      expect((await collect(second, job.id)).map((record) => record.event.message)).toEqual([
        'moved',
      ])
      reopened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
