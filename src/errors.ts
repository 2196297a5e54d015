/**
 * The base of every error the service raises on purpose. `code` is stable and documented
 * (UPPER_SNAKE with an area prefix); `message` says what was attempted and is safe to show
 * a user: it never holds a secret.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError'
  readonly code: string

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/** True for any error carrying one of our codes. */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError
}

/** The message of anything thrown, for logs and events; never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
