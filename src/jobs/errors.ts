import { AppError } from '../errors.js'

/** One-line description of each job error code. */
export const jobErrorCodes: Record<string, string> = {
  JOB_NOT_FOUND: 'no job with that id is known',
  JOB_FINISHED: 'the job has ended already, so it cannot be cancelled',
  JOB_IDEMPOTENCY_CONFLICT: 'the Idempotency-Key was used before with a different request',
  JOB_ROW_INVALID: 'a stored job holds a type, state or status this version does not know',
  JOB_CANCELLED: 'the job was cancelled, by request or because the service was stopping',
  JOB_QUEUE_FULL: 'MAX_QUEUED_INSTALLS jobs wait for a slot already; try again later',
  DISK_LOW: 'DATA_DIR has less free space than MIN_FREE_DISK_MB; no install is admitted',
}

export type JobErrorCode =
  | 'JOB_NOT_FOUND'
  | 'JOB_FINISHED'
  | 'JOB_IDEMPOTENCY_CONFLICT'
  | 'JOB_ROW_INVALID'
  | 'JOB_CANCELLED'
  | 'JOB_QUEUE_FULL'
  | 'DISK_LOW'

export class JobError extends AppError {
  override readonly name: string = 'JobError'
}

/** How long a caller refused for a full queue is told to wait (`Retry-After`). */
const queueRetryAfterSeconds = 30

/** The line of jobs waiting for a slot is full (`MAX_QUEUED_INSTALLS`); answered 429. */
export class JobQueueFullError extends JobError {
  override readonly name = 'JobQueueFullError'
  readonly retryAfterSeconds = queueRetryAfterSeconds
  constructor(type: string, limit: number) {
    super(
      'JOB_QUEUE_FULL',
      `too many ${type} jobs waiting: ${limit} are in line for a free slot already; try again in ${queueRetryAfterSeconds} s`,
    )
  }
}
