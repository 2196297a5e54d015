import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { describeError } from '../errors.js'
import { beginStep, type ReportStep, type StepEvent } from '../provision/progress.js'
import { openStore, StoreError, type Store } from '../store/index.js'
import { JobError, JobQueueFullError } from './errors.js'
import {
  isFinished,
  jobTypes,
  type JobEventRecord,
  type JobRecord,
  type JobState,
  type JobType,
} from './job.js'
import { toEventRecord, toEventRow, toJobRecord } from './job-rows.js'
import { createJobSlots, type JobSlots, type QueuePosition } from './job-slots.js'
import { redactEvent } from './redact-event.js'

/** The work of a job: reports steps, stops when `signal` aborts (cancel, shutdown). */
export type JobWork = (report: ReportStep, signal: AbortSignal) => Promise<void>

export interface JobSpec {
  type: JobType
  vmid?: number
  /** what was asked, in a few words, for lists; never a secret */
  summary?: string
  /** the request's `Idempotency-Key` and a salted fingerprint of its body */
  idempotency?: { key: string; fingerprint: string }
}

/** Which jobs {@link JobRunner.list} returns; no field means all. */
export interface JobFilter {
  state?: JobState | undefined
  type?: JobType | undefined
  vmid?: number | undefined
  /** at most this many, newest first; default all */
  limit?: number | undefined
}

/**
 * Runs long operations as jobs: each has an id, a state and an append-only list of events,
 * all kept in the store as they happen, so they can be listed, replayed and followed after a
 * client dropped or the service restarted. Whoever watches only subscribes; a watcher that
 * leaves changes nothing.
 */
export interface JobRunner {
  /**
   * Records the job and runs `work` — never before `start` has returned, so the caller can use
   * the job's id in it. Throws `JOB_IDEMPOTENCY_CONFLICT` when the spec's key was used before.
   */
  start(spec: JobSpec, work: JobWork): JobRecord
  get(id: string): JobRecord | undefined
  list(filter?: JobFilter): JobRecord[]
  /**
   * Every event after `afterSeq`, then each new one as it comes, until the job ends or `signal`
   * aborts. A sensitive event is shown as it was only to a watcher that was there when it
   * happened; a replay gets it redacted, as stored.
   */
  follow(id: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEventRecord>
  /** Aborts a queued or running job; false when it is unknown or already over. */
  cancel(id: string): boolean
  /** Resolves when the job has ended (for tests and shutdown). */
  settled(id: string): Promise<JobRecord | undefined>
  /** Records the VM a job works on, once known (an install's chosen VMID). */
  setVmid(id: string, vmid: number): void
  /** The job of this process that is queued or running on `vmid`, if any. */
  activeOn(vmid: number): JobRecord | undefined
  /** The job started with this `Idempotency-Key`, and the fingerprint of its request. */
  findByIdempotencyKey(key: string): { job: JobRecord; fingerprint: string } | undefined
  /** Cancels every job still queued or running and waits until each has ended (rollback included). */
  stopAll(): Promise<void>
  /**
   * Throws {@link JobQueueFullError} (429) when a job of `type` would have to wait in a line that
   * already holds `maxQueued` jobs; `start` checks the same.
   */
  admit(type: JobType): void
  /** Jobs of this process holding a slot and waiting for one, per type. */
  counts(): Record<JobType, { running: number; queued: number }>
}

/** The tables the runner keeps jobs in. */
export type JobsStore = Pick<Store, 'jobs' | 'events' | 'transaction'>

export interface JobRunnerOptions {
  /** where jobs and their events are kept; default an in-memory database */
  store?: JobsStore
  now?: () => Date
  /** most jobs of a type that run at once; the others wait in line and are told so */
  maxConcurrent?: Partial<Record<JobType, number>>
  /** most jobs of a type that may wait in that line; more are refused (`MAX_QUEUED_INSTALLS`) */
  maxQueued?: Partial<Record<JobType, number>>
  /** where a job that could not be recorded is reported (the store failed under it) */
  log?: { error(object: object, message: string): void }
}

interface LiveJob {
  record: JobRecord
  lastSeq: number
  lastStep: string
  controller: AbortController
  done: Promise<void>
  /** sensitive events as they were, for whoever watches live; never stored */
  sensitive: Map<number, JobEventRecord>
  /** true from the moment it holds a slot of its type (or needs none) */
  holdsSlot: boolean
  /** the store failure that stopped recording this job; later events stay in `unstored` */
  storeFailure?: StoreError
  /** events the store could not take, for the watchers still following live */
  unstored: JobEventRecord[]
}

/** How long live watchers may still receive a sensitive event after the job ended. */
const sensitiveGraceMs = 30_000

/** The step of the events that tell a job it waits for a slot. */
export const queuedStep = 'queued'

/** Creates a runner over the store's job tables (or an in-memory one). */
export function createJobRunner(options: JobRunnerOptions = {}): JobRunner {
  const store = options.store ?? openStore({ path: ':memory:' })
  const now = options.now ?? ((): Date => new Date())
  const iso = (): string => now().toISOString()
  const live = new Map<string, LiveJob>()
  const endedSensitive = new Map<string, Map<number, JobEventRecord>>()
  const endedUnstored = new Map<string, JobEventRecord[]>()
  /** jobs that ended while the store could not write: the store still shows them running */
  const unrecorded = new Map<string, JobRecord>()
  const changes = new EventEmitter()
  changes.setMaxListeners(0)
  const slots = new Map<JobType, JobSlots>()
  for (const type of jobTypes) {
    const limit = options.maxConcurrent?.[type]
    if (limit !== undefined) slots.set(type, createJobSlots(limit))
  }

  /**
   * A store write for a job. When the store cannot write (disk full, I/O error) the job fails —
   * its signal aborts with the store's error, so an install rolls back — and the process goes
   * on: nothing here throws a store error into the job's own error handling.
   */
  function record(job: LiveJob, write: () => void, how?: { retry: boolean }): boolean {
    if (job.storeFailure !== undefined && how?.retry !== true) return false
    try {
      write()
      return true
    } catch (error) {
      if (!(error instanceof StoreError)) throw error
      job.storeFailure ??= error
      options.log?.error({ jobId: job.record.id, err: error }, 'job not recorded; failing it')
      if (!job.controller.signal.aborted) job.controller.abort(error)
      return false
    }
  }

  function append(job: LiveJob, event: StepEvent): void {
    if (isFinished(job.record.state)) return
    const seq = job.lastSeq + 1
    const at = iso()
    const stored = event.sensitive === true ? redactEvent(event) : event
    if (!record(job, () => store.events.append(job.record.id, toEventRow(seq, at, stored)))) {
      job.unstored.push({ seq, at, event: stored })
    }
    job.lastSeq = seq
    job.lastStep = event.step
    if (event.sensitive === true) job.sensitive.set(seq, { seq, at, event })
    changes.emit(job.record.id)
  }

  function setState(job: LiveJob, state: JobState): void {
    if (job.record.state === state) return
    job.record.state = state
    const startedAt = state === 'running' ? iso() : undefined
    if (startedAt !== undefined) job.record.startedAt = startedAt
    record(job, () => {
      store.jobs.setState(job.record.id, state, startedAt === undefined ? {} : { startedAt })
    })
  }

  function finish(
    job: LiveJob,
    state: JobState,
    error: string | undefined,
    step: string = job.lastStep,
  ): void {
    const endedAt = iso()
    const closing: StepEvent | undefined =
      error === undefined ? undefined : { step, status: 'error', message: `[-] ${error}` }
    // tried even after a failure: the store may write again, and the job's end matters most
    const written = record(
      job,
      () => {
        store.transaction(() => {
          if (closing !== undefined) {
            store.events.append(job.record.id, toEventRow(job.lastSeq + 1, endedAt, closing))
          }
          store.jobs.finish(job.record.id, state, endedAt, error)
        })
      },
      { retry: true },
    )
    if (closing !== undefined) {
      job.lastSeq += 1
      job.lastStep = closing.step
      if (!written) job.unstored.push({ seq: job.lastSeq, at: endedAt, event: closing })
    }
    job.record.state = state
    job.record.endedAt = endedAt
    if (error !== undefined) job.record.error = error
    if (!written) unrecorded.set(job.record.id, job.record)
  }

  async function waitForSlot(job: LiveJob, signal: AbortSignal): Promise<(() => void) | undefined> {
    const gate = slots.get(job.record.type)
    if (gate === undefined) return undefined
    const step = beginStep(
      (event) => append(job, event),
      queuedStep,
      () => now().getTime(),
    )
    const places: QueuePosition[] = []
    const leave = await gate.take(signal, (place) => {
      places.push(place)
      setState(job, 'queued')
      step.processing(describeWait(job.record.type, place))
    })
    job.holdsSlot = true
    setState(job, 'running')
    if (places.length > 0) step.success('a slot is free; starting')
    return leave
  }

  async function execute(job: LiveJob, work: JobWork): Promise<void> {
    const { signal } = job.controller
    let leave: (() => void) | undefined
    try {
      // the caller of start() gets the job before any of its work runs
      await Promise.resolve()
      leave = await waitForSlot(job, signal)
      signal.throwIfAborted()
      await work((event) => append(job, event), signal)
      finish(job, 'succeeded', undefined)
    } catch (error) {
      const failure = job.storeFailure
      const cancelled = signal.aborted && failure === undefined
      const why =
        failure === undefined
          ? explain(error, cancelled)
          : `${explain(error, false)}; the job was stopped because ${failure.message}`
      finish(job, cancelled ? 'cancelled' : 'failed', why, failedStep(error))
    } finally {
      leave?.()
      live.delete(job.record.id)
      if (job.unstored.length > 0) {
        endedUnstored.set(job.record.id, job.unstored)
        setTimeout(() => endedUnstored.delete(job.record.id), sensitiveGraceMs).unref()
      }
      if (job.sensitive.size > 0) {
        endedSensitive.set(job.record.id, job.sensitive)
        setTimeout(() => endedSensitive.delete(job.record.id), sensitiveGraceMs).unref()
      }
      changes.emit(job.record.id)
    }
  }

  /** Resolves true at the job's next change, false when `signal` aborts first. */
  function nextChange(id: string, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const onChange = (): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(true)
      }
      const onAbort = (): void => {
        changes.off(id, onChange)
        resolve(false)
      }
      if (signal.aborted) {
        resolve(false)
        return
      }
      changes.once(id, onChange)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  const counts = (): Record<JobType, { running: number; queued: number }> => {
    const none = (): { running: number; queued: number } => ({ running: 0, queued: 0 })
    const result = { install: none(), start: none(), reboot: none(), migrate: none() }
    for (const job of live.values()) {
      const entry = result[job.record.type]
      if (job.holdsSlot) entry.running += 1
      else entry.queued += 1
    }
    return result
  }

  function admit(type: JobType): void {
    const limit = options.maxQueued?.[type]
    if (limit === undefined || !slots.has(type)) return
    const { running, queued } = counts()[type]
    const concurrent = options.maxConcurrent?.[type] ?? 0
    if (running + queued < concurrent + limit) return
    throw new JobQueueFullError(type, limit)
  }

  const get = (id: string): JobRecord | undefined => {
    const job = live.get(id) ?? { record: unrecorded.get(id) }
    if (job.record !== undefined) return { ...job.record }
    const row = store.jobs.get(id)
    return row === undefined ? undefined : toJobRecord(row)
  }

  return {
    start(spec, work) {
      admit(spec.type)
      const key = spec.idempotency?.key
      if (key !== undefined && store.jobs.findByIdempotencyKey(key) !== undefined) {
        throw new JobError(
          'JOB_IDEMPOTENCY_CONFLICT',
          `Idempotency-Key ${JSON.stringify(key)} belongs to an earlier job`,
        )
      }
      const createdAt = iso()
      const record: JobRecord = {
        id: randomUUID(),
        type: spec.type,
        ...(spec.vmid === undefined ? {} : { vmid: spec.vmid }),
        state: 'running',
        ...(spec.summary === undefined ? {} : { summary: spec.summary }),
        createdAt,
        startedAt: createdAt,
        ...(key === undefined ? {} : { idempotencyKey: key }),
      }
      store.jobs.insert({
        ...record,
        ...(spec.idempotency === undefined
          ? {}
          : { requestFingerprint: spec.idempotency.fingerprint }),
      })
      const job: LiveJob = {
        record,
        lastSeq: 0,
        lastStep: 'starting',
        controller: new AbortController(),
        done: Promise.resolve(),
        sensitive: new Map(),
        holdsSlot: !slots.has(spec.type),
        unstored: [],
      }
      live.set(record.id, job)
      job.done = execute(job, work)
      return { ...record }
    },

    get,

    list(filter = {}) {
      return store.jobs
        .list({
          state: filter.state,
          type: filter.type,
          vmid: filter.vmid,
          limit: filter.limit ?? -1,
        })
        .map((row) => live.get(row.id)?.record ?? unrecorded.get(row.id) ?? toJobRecord(row))
        .map((record) => ({ ...record }))
    },

    async *follow(id, afterSeq, signal) {
      if (get(id) === undefined) return
      let sent = afterSeq
      // events already there when watching began are a replay: sensitive ones come redacted
      const replayUpTo = live.get(id)?.lastSeq ?? Number.POSITIVE_INFINITY
      // a function, so each look sees the signal as it is now
      const gone = (): boolean => signal.aborted
      for (;;) {
        if (gone()) return
        const rows = store.events.after(id, sent)
        if (rows.length > 0) {
          const sensitive = live.get(id)?.sensitive ?? endedSensitive.get(id)
          for (const row of rows) {
            sent = row.seq
            const shown = row.seq > replayUpTo ? sensitive?.get(row.seq) : undefined
            yield shown ?? toEventRecord(row)
            if (gone()) return
          }
          continue
        }
        // what the store could not take, shown to whoever still follows live
        const unstored = (live.get(id)?.unstored ?? endedUnstored.get(id) ?? []).filter(
          (record) => record.seq > sent,
        )
        if (unstored.length > 0) {
          for (const record of unstored) {
            sent = record.seq
            yield record
            if (gone()) return
          }
          continue
        }
        if (!live.has(id)) return
        if (!(await nextChange(id, signal))) return
      }
    },

    cancel(id) {
      const job = live.get(id)
      if (job === undefined || job.controller.signal.aborted) return false
      job.controller.abort(new JobError('JOB_CANCELLED', 'cancelled by request'))
      return true
    },

    async settled(id) {
      await live.get(id)?.done
      return get(id)
    },

    setVmid(id, vmid) {
      const job = live.get(id)
      if (job !== undefined) job.record.vmid = vmid
      store.jobs.setVmid(id, vmid)
    },

    activeOn(vmid) {
      for (const job of live.values()) if (job.record.vmid === vmid) return { ...job.record }
      return undefined
    },

    findByIdempotencyKey(key) {
      const row = store.jobs.findByIdempotencyKey(key)
      if (row === undefined) return undefined
      return { job: get(row.id) ?? toJobRecord(row), fingerprint: row.requestFingerprint ?? '' }
    },

    admit,
    counts,

    async stopAll() {
      const running = [...live.values()]
      for (const job of running) {
        if (!job.controller.signal.aborted)
          job.controller.abort(new JobError('JOB_CANCELLED', 'cancelled: the service is stopping'))
      }
      await Promise.all(running.map((job) => job.done))
    },
  }
}

function describeWait(type: JobType, place: QueuePosition): string {
  const ahead = place.position === 1 ? 'next in line' : `number ${place.position} in line`
  return `waiting for a free ${type} slot: ${place.running} of ${place.limit} running; this one is ${ahead}`
}

function explain(error: unknown, cancelled: boolean): string {
  const message = describeError(error)
  if (!cancelled || /cancel/i.test(message)) return message
  return `cancelled (${message})`
}

/** The step an error names as the one that failed (an install's stage), if it names one. */
function failedStep(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('step' in error)) return undefined
  return typeof error.step === 'string' ? error.step : undefined
}
