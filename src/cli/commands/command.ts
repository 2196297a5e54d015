import type { OptionSpecs, ParsedValues } from '../args.js'
import type { ApiClient } from '../api/client.js'
import type { ExitCode } from '../errors.js'
import type { Output } from '../output/output.js'

/** Everything a command runs with. */
export interface CommandContext {
  values: ParsedValues
  positionals: string[]
  out: Output
  /** the API client, made on first use (commands like `serve` need none) */
  client: () => ApiClient
  /** `--json`: machine-readable output only */
  json: boolean
  /** aborts on Ctrl-C */
  signal: AbortSignal
  /** asks a yes/no question on the terminal; undefined when stdin is not a terminal */
  ask: ((question: string) => Promise<boolean>) | undefined
  /** the user's home directory (`HOME`), where their SSH key is looked for */
  home: string | undefined
}

export interface Command {
  name: string
  /** one line: arguments and flags */
  usage: string
  summary: string
  /** extra help lines */
  details?: string[]
  options?: OptionSpecs
  run(context: CommandContext): Promise<ExitCode>
}
