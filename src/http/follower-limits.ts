import { AppError } from '../errors.js'

/** How many SSE streams may follow jobs: per job and in total. */
export interface FollowerLimits {
  /**
   * Counts one more stream of `jobId`; returns the function that counts it out. A stream that
   * joins a job someone else started (`joining`) is refused past either limit (429 per job, 503
   * in total); the stream of the request that started the job is always let in, so a job never
   * runs without the one client that asked for it.
   */
  enter(jobId: string, options: { joining: boolean }): () => void
  /** streams open now */
  readonly open: number
}

export function createFollowerLimits(limits: { perJob: number; total: number }): FollowerLimits {
  const perJob = new Map<string, number>()
  let open = 0
  return {
    get open() {
      return open
    },
    enter(jobId, { joining }) {
      const following = perJob.get(jobId) ?? 0
      if (joining && following >= limits.perJob) {
        throw new AppError(
          'JOB_FOLLOWERS_LIMIT',
          `job ${jobId} has ${following} streams following it already (MAX_FOLLOWERS_PER_JOB); close one or read GET /api/jobs/${jobId}`,
        )
      }
      if (joining && open >= limits.total) {
        throw new AppError(
          'JOB_STREAMS_LIMIT',
          `${open} job streams are open already (MAX_FOLLOWERS); try again later`,
        )
      }
      perJob.set(jobId, following + 1)
      open += 1
      let left = false
      return () => {
        if (left) return
        left = true
        open -= 1
        const now = (perJob.get(jobId) ?? 1) - 1
        if (now <= 0) perJob.delete(jobId)
        else perJob.set(jobId, now)
      }
    },
  }
}
