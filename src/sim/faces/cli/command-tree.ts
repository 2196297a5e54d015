import { getopt, isGetoptFailure, type OptionTable } from './getopt.js'
import { checkArgCount, dieExit, printGetoptFailure } from './print-errors.js'
import type { ToolIo } from './tool-io.js'

/** One subcommand: its positional arguments, options and what it does. */
export interface CliCommand {
  kind: 'command'
  /** `qm start <vmid> [OPTIONS]`: printed after a 400 and in the command list */
  usage: string
  positional: readonly string[]
  options: OptionTable
  run(io: ToolIo, args: Record<string, string>, options: Record<string, string>): Promise<number>
}

/** An alias names another command by its words (`resize` → `disk resize`). */
export interface CliAlias {
  kind: 'alias'
  alias: readonly string[]
}

/** A group of subcommands (`qm disk ...`). */
export interface CliGroup {
  kind: 'group'
  commands: CommandTree
}

export type CommandTree = Record<string, CliCommand | CliAlias | CliGroup>

/** A complete name, or the one non-alias name it is a prefix of (CLIHandler's expansion). */
function expand(tree: CommandTree, word: string): string {
  if (Object.hasOwn(tree, word)) return word
  const matches = Object.keys(tree).filter((name) => {
    const entry = tree[name]
    return name.startsWith(word) && entry !== undefined && entry.kind !== 'alias'
  })
  return matches.length === 1 && matches[0] !== undefined ? matches[0] : word
}

/**
 * Runs `tool argv...` against a command tree as PVE's CLIHandler does: expands abbreviated
 * subcommands, follows aliases, parses options, checks the positional count, then runs it.
 */
export async function runCommandTree(
  io: ToolIo,
  tool: string,
  root: CommandTree,
  argv: readonly string[],
): Promise<number> {
  let tree = root
  let rest = [...argv]
  const words: string[] = []
  for (;;) {
    const word = rest[0]
    if (word === undefined) {
      return unknownCommand(io, tool, root, words.length === 0 ? undefined : words.join(' '))
    }
    const name = expand(tree, word)
    const entry = Object.hasOwn(tree, name) ? tree[name] : undefined
    if (entry === undefined) return unknownCommand(io, tool, root, [...words, word].join(' '))
    rest = rest.slice(1)
    if (entry.kind === 'alias') {
      tree = root
      rest = [...entry.alias, ...rest]
      words.length = 0
      continue
    }
    words.push(name)
    if (entry.kind === 'command') return runCommand(io, entry, rest)
    tree = entry.commands
  }
}

async function runCommand(io: ToolIo, command: CliCommand, args: string[]): Promise<number> {
  const parsed = getopt(args, command.options)
  if (isGetoptFailure(parsed)) return printGetoptFailure(io, parsed, command.usage)
  const countError = checkArgCount(io, parsed.positional, command.positional.length, command.usage)
  if (countError !== undefined) return countError
  const named: Record<string, string> = {}
  command.positional.forEach((name, index) => {
    named[name] = parsed.positional[index] ?? ''
  })
  return command.run(io, named, parsed.options)
}

function unknownCommand(
  io: ToolIo,
  tool: string,
  root: CommandTree,
  words: string | undefined,
): number {
  io.stderr(
    words === undefined
      ? 'ERROR: no command specified'
      : `ERROR: unknown command '${tool} ${words}'`,
  )
  io.stderr(`USAGE: ${tool} <COMMAND> [ARGS] [OPTIONS]`)
  for (const usage of usages(root)) io.stderr(`       ${usage}`)
  return dieExit
}

function usages(tree: CommandTree): string[] {
  const lines: string[] = []
  for (const name of Object.keys(tree).sort()) {
    const entry = tree[name]
    if (entry === undefined || entry.kind === 'alias') continue
    if (entry.kind === 'command') lines.push(entry.usage)
    else lines.push(...usages(entry.commands))
  }
  return lines
}
