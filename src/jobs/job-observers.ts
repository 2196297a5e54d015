import type { StepEvent } from '../provision/progress.js'
import type { CredentialVault } from './credentials.js'
import type { JobRunner } from './job-runner.js'

/** The step a running job is at now. */
export interface CurrentSteps {
  /** the step of the job's latest event, while it runs */
  stepOf(jobId: string): string | undefined
}

/**
 * The same runner, watching every job's events as they are reported: a generated password goes
 * to the credential vault (with who started the job), and the latest step of each running job
 * is kept for the VM list's `installing` mark. Everything but `start` passes through.
 */
export function observeJobs(
  jobs: JobRunner,
  vault: CredentialVault,
): { jobs: JobRunner; steps: CurrentSteps } {
  const current = new Map<string, string>()
  const start = (...args: Parameters<JobRunner['start']>): ReturnType<JobRunner['start']> => {
    const [spec, work] = args
    // start() never runs the work before it returns, so the id is known by the first event
    let id = ''
    const job = jobs.start(spec, async (report, signal) => {
      const observed = (event: StepEvent): void => {
        current.set(id, event.step)
        vault.observe(id, event)
        report(event)
      }
      try {
        await work(observed, signal)
      } finally {
        current.delete(id)
      }
    })
    id = job.id
    vault.own(job.id, spec.owner ?? 'anonymous')
    return job
  }
  const observed = new Proxy(jobs, {
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
  return { jobs: observed, steps: { stepOf: (jobId) => current.get(jobId) } }
}
