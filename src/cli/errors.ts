/** Exit statuses of the `pve-qemu` command (the README and `pve-qemu help` list them). */
export const exitCodes = {
  ok: 0,
  /** the service refused the request (4xx/5xx), or the job failed */
  failed: 1,
  /** the command line was wrong */
  usage: 2,
  /** the job was cancelled (by `pve-qemu cancel`, the dashboard, or the service stopping) */
  cancelled: 3,
  /** the service could not be reached, or did not answer as pve-qemu does */
  unreachable: 4,
  /** interrupted (Ctrl-C); a job the command watched goes on */
  interrupted: 130,
} as const

/** The exit statuses in words, for help and the README. */
export const exitCodeHelp = [
  '0 done, 1 refused by the service or the job failed, 2 wrong command line,',
  '3 the job was cancelled, 4 the service could not be reached, 130 interrupted',
  '(Ctrl-C: a job goes on in the service).',
]

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
