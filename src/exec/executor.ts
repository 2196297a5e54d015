/**
 * The executor port: run one program with an argument array, on this machine or on a node over
 * SSH. Drivers get an executor passed in; only the composition root picks which one.
 */

export interface RunOptions {
  /** Written to the program's stdin, which is then closed. Without it stdin is empty. */
  stdin?: string | Buffer
  /** Stop the program after this long and reject with `EXEC_TIMEOUT`. */
  timeoutMs?: number
  /** Stop the program when aborted and reject with `EXEC_ABORTED`. */
  signal?: AbortSignal
  /** Each stdout line (without its newline) as soon as it arrives. */
  onStdoutLine?: (line: string) => void
  /** Each stderr line (without its newline) as soon as it arrives. */
  onStderrLine?: (line: string) => void
  /** Extra environment variables for this run. */
  env?: Record<string, string>
}

export interface RunResult {
  /** The program's exit status; 128 + signal number when a signal ended it. */
  exitCode: number
  /** Everything printed on stdout (only the tail when it exceeded the cap). */
  stdout: string
  /** Everything printed on stderr (only the tail when it exceeded the cap). */
  stderr: string
  durationMs: number
}

export interface Executor {
  /** Where commands run, for logs: `local` or `ssh root@10.0.0.2:22`. */
  readonly description: string
  /**
   * Runs `argv[0]` with the arguments `argv.slice(1)`. Resolves with the exit code whatever it
   * is; rejects only with an `ExecError` when the program could not run to its end.
   */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>
  /** Releases connections; runs after this fail. */
  close(): Promise<void>
}
