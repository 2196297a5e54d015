import { AppError } from '../errors.js'

/** One-line description of each job error code. */
export const jobErrorCodes: Record<string, string> = {
  JOB_NOT_FOUND: 'no job with that id is known',
  JOB_FINISHED: 'the job has ended already, so it cannot be cancelled',
  JOB_IDEMPOTENCY_CONFLICT: 'the Idempotency-Key was used before with a different request',
  JOB_ROW_INVALID: 'a stored job holds a type, state or status this version does not know',
  JOB_CANCELLED: 'the job was cancelled, by request or because the service was stopping',
}

export type JobErrorCode =
  | 'JOB_NOT_FOUND'
  | 'JOB_FINISHED'
  | 'JOB_IDEMPOTENCY_CONFLICT'
  | 'JOB_ROW_INVALID'
  | 'JOB_CANCELLED'

export class JobError extends AppError {
  override readonly name = 'JobError'
}
