import { booleanFlag, parseCommandLine, stringFlag } from './args.js'
import { createApiClient, type ApiClient } from './api/client.js'
import { findCommand } from './commands/index.js'
import { defaultServiceUrl, type CliEnvironment } from './env.js'
import { CliError, exitCodes, usageError, type ExitCode } from './errors.js'
import { commandHelp, generalHelp } from './help.js'
import type { Output } from './output/output.js'

export interface CliRuntime {
  out: Output
  env: CliEnvironment
  /** aborts when the user presses Ctrl-C */
  signal: AbortSignal
  ask: ((question: string) => Promise<boolean>) | undefined
}

/**
 * Runs one `pve-qemu` command line and returns its exit status. Every failure is explained in
 * one line on stderr (`--json`: as `{"error": {...}}` on stdout too), never as a stack trace.
 */
export async function runCli(argv: readonly string[], runtime: CliRuntime): Promise<ExitCode> {
  const { out } = runtime
  let json = argv.includes('--json')
  try {
    const line = parseCommandLine(argv, (name) => findCommand(name)?.options)
    json = booleanFlag(line.values, 'json')
    if (line.command === undefined || line.command === 'help') {
      const topic = line.command === 'help' ? line.positionals[0] : undefined
      const command = topic === undefined ? undefined : findCommand(topic)
      if (topic !== undefined && command === undefined)
        throw usageError(`unknown command "${topic}"`)
      for (const text of command === undefined ? generalHelp() : commandHelp(command))
        out.line(text)
      return line.command === undefined && !booleanFlag(line.values, 'help')
        ? exitCodes.usage
        : exitCodes.ok
    }
    const command = findCommand(line.command)
    if (command === undefined)
      throw usageError(`unknown command "${line.command}"; see pve-qemu help`)
    if (booleanFlag(line.values, 'help')) {
      for (const text of commandHelp(command)) out.line(text)
      return exitCodes.ok
    }
    let client: ApiClient | undefined
    const baseUrl = stringFlag(line.values, 'url') ?? runtime.env.url ?? defaultServiceUrl
    const token = stringFlag(line.values, 'token') ?? runtime.env.token
    return await command.run({
      values: line.values,
      positionals: line.positionals,
      out,
      json,
      signal: runtime.signal,
      ask: runtime.ask,
      home: runtime.env.home,
      client: () => (client ??= createApiClient({ baseUrl, token })),
    })
  } catch (error) {
    if (error instanceof CliError) {
      if (json)
        out.json({
          error: {
            code: error.code,
            message: error.message,
            ...(error.status === undefined ? {} : { status: error.status }),
          },
        })
      out.note(out.style.paint('red', `error: ${error.message}`))
      return error.exitCode
    }
    if (runtime.signal.aborted) return exitCodes.interrupted
    throw error
  }
}
