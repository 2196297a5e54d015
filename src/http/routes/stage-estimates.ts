import { jobTypes, stagesOf, type JobRunner, type JobType } from '../../jobs/index.js'

export interface StageEstimate {
  /** finished jobs the figures come from */
  jobs: number
  /** every stage of the job type in order, with its median seconds in the jobs measured */
  stages: { step: string; seconds: number }[]
}

/** How many recent successful jobs of a type the estimate reads. */
const sample = 20

/**
 * Median seconds of each stage of recent successful jobs, per job type, from the stored event
 * times: what the dashboard's progress bar turns into an ETA. A stage runs from the last event
 * of the one before (or the job's start) to its own last event. Recomputed only when a new job
 * of the type has succeeded.
 */
export function createStageEstimates(jobs: Pick<JobRunner, 'list' | 'follow'>): {
  all(): Promise<Record<string, StageEstimate>>
} {
  const cache = new Map<JobType, { newest: string; estimate: StageEstimate }>()

  async function estimate(type: JobType): Promise<StageEstimate> {
    const recent = jobs.list({ type, state: 'succeeded', limit: sample })
    const newest = recent[0]?.id ?? ''
    const cached = cache.get(type)
    if (cached?.newest === newest) return cached.estimate
    const samples = new Map<string, number[]>()
    const signal = new AbortController().signal
    for (const job of recent) {
      let previous = Date.parse(job.startedAt ?? job.createdAt)
      let step: string | undefined
      let last = previous
      const close = (): void => {
        if (step === undefined) return
        const list = samples.get(step) ?? []
        list.push(Math.max(0, (last - previous) / 1000))
        samples.set(step, list)
        previous = last
      }
      for await (const record of jobs.follow(job.id, 0, signal)) {
        if (record.event.step !== step) {
          close()
          step = record.event.step
        }
        last = Date.parse(record.at)
      }
      close()
    }
    const stages = stagesOf(type).map((step) => ({ step, seconds: median(samples.get(step)) }))
    const result = { jobs: recent.length, stages }
    cache.set(type, { newest, estimate: result })
    return result
  }

  return {
    async all() {
      const entries: Record<string, StageEstimate> = {}
      for (const type of jobTypes) entries[type] = await estimate(type)
      return entries
    },
  }
}

function median(values: number[] | undefined): number {
  if (values === undefined || values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const value =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
  return Math.round(value * 100) / 100
}
