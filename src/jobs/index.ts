export { JobError, jobErrorCodes, type JobErrorCode } from './errors.js'
export type { JobEventRecord, JobRecord, JobState, JobType } from './job.js'
export { isFinished, isJobState, isJobType, jobStates, jobTypes } from './job.js'
export {
  createJobRunner,
  queuedStep,
  type JobFilter,
  type JobRunner,
  type JobRunnerOptions,
  type JobSpec,
  type JobsStore,
  type JobWork,
} from './job-runner.js'
