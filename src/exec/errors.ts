import { AppError } from '../errors.js'

export type ExecErrorCode =
  | 'EXEC_TIMEOUT'
  | 'EXEC_SPAWN_FAILED'
  | 'EXEC_ABORTED'
  | 'EXEC_SSH_FAILED'
  | 'EXEC_HOST_KEY_CHANGED'
  | 'EXEC_INVALID_ARGUMENT'

/** One-line description of each code, for the docs and the error catalogue test. */
export const execErrorCodes: Record<ExecErrorCode, string> = {
  EXEC_TIMEOUT: 'the command ran longer than its timeout and was stopped',
  EXEC_SPAWN_FAILED: 'the program could not be started (missing, not executable)',
  EXEC_ABORTED: 'the caller cancelled the command',
  EXEC_SSH_FAILED: 'the SSH connection to the node failed or broke (not the remote exit code)',
  EXEC_HOST_KEY_CHANGED: "the node's SSH host key differs from the pinned one; refused",
  EXEC_INVALID_ARGUMENT: 'an argument or variable holds a NUL byte or a bad name; nothing ran',
}

/**
 * A command could not be run to its end. A command that ran and exited non-zero is not an
 * ExecError: the executor returns its exit code and the caller decides.
 */
export class ExecError extends AppError {
  override readonly name = 'ExecError'
  declare readonly code: ExecErrorCode
  /** The program (argv[0]) or `ssh <host>`, for messages. */
  readonly target: string

  constructor(code: ExecErrorCode, target: string, message: string, options?: ErrorOptions) {
    super(code, message, options)
    this.target = target
  }
}

/** True for an ExecError, optionally of one code. */
export function isExecError(error: unknown, code?: ExecErrorCode): error is ExecError {
  return error instanceof ExecError && (code === undefined || error.code === code)
}

/** The error for a run its caller cancelled; the signal's reason is kept as the cause. */
export function abortedError(target: string, signal: AbortSignal): ExecError {
  return new ExecError('EXEC_ABORTED', target, `${target} was cancelled`, { cause: signal.reason })
}
