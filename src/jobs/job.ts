import type { StepEvent } from '../provision/progress.js'

export type JobType = 'install' | 'start' | 'reboot' | 'migrate'
export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted'

export interface JobRecord {
  id: string
  type: JobType
  vmid?: number
  state: JobState
  createdAt: string
  endedAt?: string
  /** the failure's message, when state is failed */
  error?: string
}

/** One stored event of a job; `seq` counts from 1 within the job and is the SSE `id`. */
export interface JobEventRecord {
  seq: number
  at: string
  event: StepEvent
}

export function isFinished(state: JobState): boolean {
  return state !== 'running'
}
