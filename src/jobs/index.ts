export { JobError, JobQueueFullError, jobErrorCodes, type JobErrorCode } from './errors.js'
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
export {
  createInstallClaims,
  type InstallClaims,
  type InstallClaimsOptions,
} from './install-claims.js'
export { startInstallJob, type InstallJobOptions, type InstallJobStarted } from './install-job.js'
export { nameJobHolders } from './name-job-holders.js'
export { recoverInterruptedJobs, type RecoveredJob, type RecoveryOptions } from './recover-jobs.js'
export { canonicalJson, fingerprintRequest, matchesFingerprint } from './request-fingerprint.js'
export {
  createInstallAdmission,
  type InstallAdmission,
  type InstallAdmissionOptions,
} from './install-admission.js'
