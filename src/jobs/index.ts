export type { JobEventRecord, JobRecord, JobState, JobType } from './job.js'
export { isFinished } from './job.js'
export { createJobRunner, type JobRunner, type JobSpec, type JobWork } from './job-runner.js'
