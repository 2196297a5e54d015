import type { StepEvent } from '../provision/progress.js'

/**
 * The long operations (install, start, reboot, migrate) and the quick ones recorded so every
 * action shows in the job history (stop, shutdown, destroy, configure: cpu, memory, disk).
 */
export const jobTypes = [
  'install',
  'start',
  'reboot',
  'migrate',
  'stop',
  'shutdown',
  'destroy',
  'configure',
] as const
export type JobType = (typeof jobTypes)[number]

/**
 * `queued` waits for a free slot (MAX_CONCURRENT_INSTALLS); `interrupted` was running when the
 * service stopped without finishing it (a crash, a kill), found so at the next start.
 */
export const jobStates = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
] as const
export type JobState = (typeof jobStates)[number]

export interface JobRecord {
  id: string
  type: JobType
  /** the VM it works on; an install records it once the VMID is chosen */
  vmid?: number
  state: JobState
  /** what was asked, in a few words (`debian 12 web-01`); never a secret */
  summary?: string
  createdAt: string
  /** when it left the queue and began its work */
  startedAt?: string
  endedAt?: string
  /** why it did not succeed, when it failed, was cancelled or interrupted */
  error?: string
  /** the `Idempotency-Key` it was started with */
  idempotencyKey?: string
}

/** One stored event of a job; `seq` counts from 1 within the job and is the SSE `id`. */
export interface JobEventRecord {
  seq: number
  at: string
  event: StepEvent
}

/** True once the job has ended, for whatever reason. */
export function isFinished(state: JobState): boolean {
  return state !== 'running' && state !== 'queued'
}

export function isJobType(value: string): value is JobType {
  return jobTypes.some((type) => type === value)
}

export function isJobState(value: string): value is JobState {
  return jobStates.some((state) => state === value)
}
