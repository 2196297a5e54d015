import type { Executor, RunOptions, RunResult } from '../../../../src/exec/index.js'

export interface ScriptedCall {
  node: string
  argv: string[]
  stdin?: string
}

type Reply = Partial<Omit<RunResult, 'durationMs'>> | Error

/**
 * Executors that record what they were asked to run and answer from a script: a test says what
 * `qm` printed, the driver's reaction is what gets checked.
 */
export function createScriptedExecutors(answer: (call: ScriptedCall) => Reply = () => ({})) {
  const calls: ScriptedCall[] = []
  const executorFor = (node: string): Executor => ({
    description: `scripted ${node}`,
    run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
      const call: ScriptedCall = {
        node,
        argv: [...argv],
        ...(options.stdin === undefined ? {} : { stdin: String(options.stdin) }),
      }
      calls.push(call)
      const reply = answer(call)
      if (reply instanceof Error) return Promise.reject(reply)
      const stdout = reply.stdout ?? ''
      for (const line of stdout.split('\n').slice(0, -1)) options.onStdoutLine?.(line)
      return Promise.resolve({
        exitCode: reply.exitCode ?? 0,
        stdout,
        stderr: reply.stderr ?? '',
        durationMs: 1,
      })
    },
    close: () => Promise.resolve(),
  })
  return { calls, executorFor }
}
