/** Exit statuses of the `pve-qemu` command. */
export const exitCodes = {
  ok: 0,
  /** the operation failed, or the service refused it */
  failed: 1,
  /** the command line was wrong */
  usage: 2,
  /** interrupted (Ctrl-C); a job the command watched goes on */
  interrupted: 130,
} as const

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes]

/** A failure the CLI explains in one line and exits on; never a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly code: string
  readonly exitCode: ExitCode
  /** the HTTP status, when the service answered with an error */
  readonly status: number | undefined

  constructor(
    code: string,
    message: string,
    options: { exitCode?: ExitCode; status?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.exitCode = options.exitCode ?? exitCodes.failed
    this.status = options.status
  }
}

/** A wrong command line: exits with status 2. */
export function usageError(message: string): CliError {
  return new CliError('CLI_USAGE', message, { exitCode: exitCodes.usage })
}
