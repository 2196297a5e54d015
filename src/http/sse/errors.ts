import { AppError } from '../../errors.js'

/** One-line description of each code, for the docs and the error catalogue test. */
export const sseErrorCodes: Record<string, string> = {
  SSE_FIELD_INVALID: 'an SSE id, event name or comment holds a line break, or data is not JSON',
}

/** A frame that cannot be written without corrupting the stream; always a bug of the caller. */
export class SseFieldError extends AppError {
  override readonly name = 'SseFieldError'

  constructor(message: string) {
    super('SSE_FIELD_INVALID', message)
  }
}
