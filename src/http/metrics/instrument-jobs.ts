import type { JobRunner, JobWork } from '../../jobs/index.js'
import type { StepEvent } from '../../provision/progress.js'
import type { AppMetrics } from './create-metrics.js'

/**
 * The same job runner, timing each stage of every job it starts: a stage runs from the end of
 * the previous one (or the job's start) to its first `[+]` success or its error. Everything
 * but `start` passes through.
 */
export function instrumentJobs(jobs: JobRunner, metrics: AppMetrics): JobRunner {
  const start = (...args: Parameters<JobRunner['start']>): ReturnType<JobRunner['start']> => {
    const [spec, work, ...rest] = args
    return jobs.start(spec, timeStages(spec.type, work, metrics), ...rest)
  }
  return new Proxy(jobs, {
    get(target, property, receiver) {
      if (property === 'start') return start
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args)
        return result
      }
    },
  })
}

function timeStages(jobType: string, work: JobWork, metrics: AppMetrics): JobWork {
  return async (report, signal) => {
    let stageStart = performance.now()
    let current: string | undefined
    let ended = true
    const end = (outcome: 'success' | 'error'): void => {
      if (current === undefined || ended) return
      const now = performance.now()
      metrics.observeStage({ jobType, stage: current, outcome }, (now - stageStart) / 1000)
      stageStart = now
      ended = true
    }
    const timed = (event: StepEvent): void => {
      if (event.step !== current) {
        current = event.step
        ended = false
      }
      if (event.status === 'error') end('error')
      else if (event.status === 'success' && event.message.startsWith('[+]')) end('success')
      report(event)
    }
    try {
      await work(timed, signal)
    } catch (error) {
      // a stage that fails before reporting anything is named only in the error message
      const named = failedStageOf(error)
      if (named !== undefined && named !== current) {
        current = named
        ended = false
      }
      end('error')
      throw error
    }
  }
}

const failedStage = /^(\S[^:]* > [^:]+?) failed: /

/** The stage an install failure names (`VM creation > creating VM failed: ...`), if any. */
function failedStageOf(error: unknown): string | undefined {
  return error instanceof Error ? failedStage.exec(error.message)?.[1] : undefined
}
