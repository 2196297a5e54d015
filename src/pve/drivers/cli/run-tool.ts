import type { Executor, RunResult } from '../../../exec/index.js'
import { isExecError } from '../../../exec/index.js'
import type { TaskLineListener } from '../../cluster.js'
import { PveError } from '../../errors.js'
import { commandKey, type CommandCounter } from './command-counter.js'
import { parseToolError, toolErrorToPveError } from './parse/tool-error.js'
import { redactArgv } from './redact-argv.js'

/** The part of a pino logger the driver uses. */
export interface CliDriverLogger {
  debug(details: object, message: string): void
}

export interface ToolRunOptions {
  stdin?: string
  signal?: AbortSignal
  onLine?: TaskLineListener
  timeoutMs?: number
}

export interface ToolRunnerOptions {
  executorFor: (node: string) => Executor
  log: CliDriverLogger
  counter: CommandCounter
}

/** Runs one Proxmox tool on one node: counted, logged without secrets, failures as PveErrors. */
export type ToolRunner = (
  node: string,
  argv: readonly string[],
  options?: ToolRunOptions,
) => Promise<RunResult>

/**
 * Builds the one place where the cli driver runs a command. A non-zero exit becomes a PveError
 * classified from the tool's stderr; an executor failure (SSH down, program missing, timeout)
 * becomes `unreachable`/`failed`; cancellation rethrows the caller's reason.
 */
export function createToolRunner(options: ToolRunnerOptions): ToolRunner {
  const { log, counter } = options
  return async (node, argv, runOptions = {}) => {
    const key = commandKey(argv)
    counter.increment(key)
    const executor = executorOf(options, node)
    const shown = redactArgv(argv)
    let result: RunResult
    try {
      result = await executor.run(argv, {
        ...(runOptions.stdin === undefined ? {} : { stdin: runOptions.stdin }),
        ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
        ...(runOptions.timeoutMs === undefined ? {} : { timeoutMs: runOptions.timeoutMs }),
        ...(runOptions.onLine === undefined ? {} : { onStdoutLine: runOptions.onLine }),
      })
    } catch (error) {
      log.debug(
        { node, argv: shown, error: isExecError(error) ? error.code : 'unknown' },
        'pve command did not run',
      )
      throw translateExecError(error, runOptions.signal)
    }
    log.debug(
      { node, argv: shown, exitCode: result.exitCode, durationMs: result.durationMs },
      'pve command',
    )
    if (result.exitCode !== 0) {
      throw toolErrorToPveError(
        parseToolError(result.stderr),
        `${key} exited with ${result.exitCode}`,
      )
    }
    return result
  }
}

function executorOf(options: ToolRunnerOptions, node: string): Executor {
  try {
    return options.executorFor(node)
  } catch (error) {
    if (error instanceof PveError) throw error
    throw new PveError('node', `no such cluster node '${node}'`, { cause: error })
  }
}

function translateExecError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (isExecError(error, 'EXEC_ABORTED') && signal?.aborted) return signal.reason
  if (!isExecError(error)) return error
  switch (error.code) {
    case 'EXEC_SSH_FAILED':
    case 'EXEC_HOST_KEY_CHANGED':
    case 'EXEC_SPAWN_FAILED':
      return new PveError('unreachable', error.message, { cause: error })
    case 'EXEC_TIMEOUT':
    case 'EXEC_ABORTED':
    case 'EXEC_INVALID_ARGUMENT':
      return new PveError('failed', error.message, { cause: error })
  }
}
