import { randomUUID } from 'node:crypto'
import { EventEmitter, on } from 'node:events'
import { describeError } from '../errors.js'
import type { ReportStep, StepEvent } from '../provision/progress.js'
import { isFinished, type JobEventRecord, type JobRecord, type JobType } from './job.js'

export type JobWork = (report: ReportStep, signal: AbortSignal) => Promise<void>

export interface JobSpec {
  type: JobType
  vmid?: number
}

/**
 * Runs long operations as jobs: each has an id, a state and an append-only list of events.
 * Whoever watches (an SSE stream, a CLI) only subscribes; a watcher that leaves changes nothing.
 */
export interface JobRunner {
  start(spec: JobSpec, work: JobWork): JobRecord
  get(id: string): JobRecord | undefined
  list(): JobRecord[]
  /** Every event after `afterSeq`, then each new one as it comes, until the job ends or `signal` aborts. */
  follow(id: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEventRecord>
  /** Aborts a running job; false when it is unknown or already over. */
  cancel(id: string): boolean
  /** Resolves when the job has ended (for tests and shutdown). */
  settled(id: string): Promise<JobRecord | undefined>
}

interface LiveJob {
  record: JobRecord
  /** as stored and replayed: sensitive events redacted */
  events: JobEventRecord[]
  /** sensitive events as they were, for whoever watches live; dropped soon after the job ends */
  unredacted: Map<number, JobEventRecord>
  controller: AbortController
  done: Promise<void>
}

export function createJobRunner(options: { now?: () => Date } = {}): JobRunner {
  const now = options.now ?? ((): Date => new Date())
  const jobs = new Map<string, LiveJob>()
  const changes = new EventEmitter()
  changes.setMaxListeners(0)

  function append(job: LiveJob, event: StepEvent): void {
    const seq = job.events.length + 1
    const at = now().toISOString()
    if (event.sensitive === true) {
      job.unredacted.set(seq, { seq, at, event })
      job.events.push({ seq, at, event: redact(event) })
    } else {
      job.events.push({ seq, at, event })
    }
    changes.emit(job.record.id)
  }

  async function execute(job: LiveJob, work: JobWork): Promise<void> {
    let lastStep = 'starting'
    const report: ReportStep = (event) => {
      lastStep = event.step
      append(job, event)
    }
    try {
      await work(report, job.controller.signal)
      job.record.state = 'succeeded'
    } catch (error) {
      const cancelled = job.controller.signal.aborted
      job.record.state = cancelled ? 'cancelled' : 'failed'
      job.record.error = cancelled ? 'cancelled' : describeError(error)
      append(job, { step: lastStep, status: 'error', message: `[-] ${job.record.error}` })
    } finally {
      job.record.endedAt = now().toISOString()
      changes.emit(job.record.id)
      if (job.unredacted.size > 0)
        setTimeout(() => job.unredacted.clear(), unredactedGraceMs).unref()
    }
  }

  return {
    start(spec, work) {
      const record: JobRecord = {
        id: randomUUID(),
        type: spec.type,
        ...(spec.vmid === undefined ? {} : { vmid: spec.vmid }),
        state: 'running',
        createdAt: now().toISOString(),
      }
      const job: LiveJob = {
        record,
        events: [],
        unredacted: new Map(),
        controller: new AbortController(),
        done: Promise.resolve(),
      }
      jobs.set(record.id, job)
      job.done = execute(job, work)
      return { ...record }
    },

    get: (id) => {
      const job = jobs.get(id)
      return job === undefined ? undefined : { ...job.record }
    },

    list: () => [...jobs.values()].map((job) => ({ ...job.record })),

    async *follow(id, afterSeq, signal) {
      const job = jobs.get(id)
      if (job === undefined) return
      let sent = afterSeq
      const pending = on(changes, id, { signal })
      try {
        for (;;) {
          while (sent < job.events.length) {
            const next = job.unredacted.get(sent + 1) ?? job.events[sent]
            sent += 1
            if (next !== undefined) yield next
          }
          if (isFinished(job.record.state)) return
          await pending.next()
        }
      } catch (error) {
        if (!signal.aborted) throw error
      } finally {
        await pending.return?.()
      }
    },

    cancel(id) {
      const job = jobs.get(id)
      if (job === undefined || isFinished(job.record.state)) return false
      job.controller.abort(new Error('cancelled'))
      return true
    },

    async settled(id) {
      const job = jobs.get(id)
      if (job === undefined) return undefined
      await job.done
      return { ...job.record }
    },
  }
}

/** How long live watchers may still receive a sensitive event after the job ended. */
const unredactedGraceMs = 30_000

function redact(event: StepEvent): StepEvent {
  const label = event.message.split(':')[0] ?? event.message
  return {
    step: event.step,
    status: event.status,
    message: `${label}: (shown once to the live stream; not stored)`,
  }
}
