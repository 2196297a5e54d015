import { AppError } from '../errors.js'

/** One-line description of each code, for the docs and the error catalogue test. */
export const configErrorCodes: Record<string, string> = {
  CONFIG_INVALID: 'an environment variable or the .env file holds a value the service cannot use',
}

/**
 * Every configuration problem found, reported together so one edit of `.env` fixes them all.
 * The message is the problems, one line each (`VAR: must be ..., got "..."`); `problems` holds the
 * same lines for a caller that prints them one by one. Secret values never appear in them.
 */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError'
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super('CONFIG_INVALID', problems.join('\n'))
    this.problems = Object.freeze([...problems])
  }
}
