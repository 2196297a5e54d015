import { spawn } from 'node:child_process'
import { delimiter } from 'node:path'

import { checkArgv } from './check-argv.js'
import { abortedError, ExecError } from './errors.js'
import { exitCodeForSignal } from './exit-code-for-signal.js'
import type { Executor, RunOptions, RunResult } from './executor.js'
import { OutputCollector } from './output-collector.js'

export interface LocalExecutorOptions {
  /** Directories searched before the inherited PATH (e.g. the fake CLI's `bin/sim`). */
  path?: string
  /** Environment variables added to every run (a run's own `env` wins). */
  env?: Record<string, string>
  /** Characters of stdout/stderr kept per run; the tail is kept. */
  maxOutputChars?: number
  /** After SIGTERM on timeout/abort, how long to wait before SIGKILL. */
  killGraceMs?: number
}

/**
 * Runs programs on this machine with `spawn(argv[0], argv.slice(1))`: never a shell, so no
 * argument is ever interpreted.
 *
 * @example
 * const local = createLocalExecutor({ path: '/opt/pve-qemu/bin/sim' })
 * const { exitCode, stdout } = await local.run(['qm', 'status', '100'])
 */
export function createLocalExecutor(options: LocalExecutorOptions = {}): Executor {
  const baseEnv = buildEnv(options)
  return {
    description: 'local',
    run: (argv, runOptions = {}) => runLocal(argv, runOptions, baseEnv, options),
    close: () => Promise.resolve(),
  }
}

function buildEnv(options: LocalExecutorOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  if (options.path !== undefined) {
    env.PATH = env.PATH === undefined ? options.path : `${options.path}${delimiter}${env.PATH}`
  }
  return env
}

async function runLocal(
  argv: readonly string[],
  options: RunOptions,
  baseEnv: NodeJS.ProcessEnv,
  executorOptions: LocalExecutorOptions,
): Promise<RunResult> {
  checkArgv(argv, options.env)
  const program = argv[0] ?? ''
  if (options.signal?.aborted) throw abortedError(program, options.signal)
  const started = performance.now()
  const stdout = new OutputCollector(options.onStdoutLine, executorOptions.maxOutputChars)
  const stderr = new OutputCollector(options.onStderrLine, executorOptions.maxOutputChars)

  return await new Promise<RunResult>((resolve, reject) => {
    const child = spawn(program, argv.slice(1), {
      env: options.env === undefined ? baseEnv : { ...baseEnv, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let failure: ExecError | undefined
    let killTimer: NodeJS.Timeout | undefined

    const stop = (error: ExecError): void => {
      if (failure !== undefined) return
      failure = error
      child.kill('SIGTERM')
      killTimer = setTimeout(() => child.kill('SIGKILL'), executorOptions.killGraceMs ?? 2000)
    }
    const timeout =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            stop(
              new ExecError(
                'EXEC_TIMEOUT',
                program,
                `${program} did not finish within ${options.timeoutMs} ms and was stopped`,
              ),
            )
          }, options.timeoutMs)
    const onAbort = (): void => {
      if (options.signal !== undefined) stop(abortedError(program, options.signal))
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const cleanup = (): void => {
      clearTimeout(timeout)
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
    }

    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
    })
    // A program that exits without reading its stdin makes our write fail with EPIPE; harmless.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.stdin ?? '')

    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup()
      reject(
        new ExecError(
          'EXEC_SPAWN_FAILED',
          program,
          `cannot run ${program}: ${error.code ?? error.message}`,
          { cause: error },
        ),
      )
    })
    child.on('close', (code, signal) => {
      cleanup()
      if (failure !== undefined) {
        reject(failure)
        return
      }
      resolve({
        exitCode: code ?? exitCodeForSignal(signal),
        stdout: stdout.end(),
        stderr: stderr.end(),
        durationMs: Math.round(performance.now() - started),
      })
    })
  })
}
