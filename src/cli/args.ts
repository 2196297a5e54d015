import { parseArgs, type ParseArgsConfig } from 'node:util'
import { usageError } from './errors.js'

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>

/** Flags every command takes. */
export const globalOptions = {
  json: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies OptionSpecs

export interface ParsedCommandLine {
  command: string | undefined
  values: ParsedValues
  positionals: string[]
}

/**
 * Splits `argv` into the command name, its flags (global ones anywhere on the line) and its
 * positional arguments. An unknown flag is a usage error naming it.
 */
export function parseCommandLine(
  argv: readonly string[],
  commandOptions: (name: string) => OptionSpecs | undefined,
): ParsedCommandLine {
  const probe = parseArgs({
    args: [...argv],
    options: globalOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  })
  const first = probe.tokens.find((token) => token.kind === 'positional')
  const command = first?.kind === 'positional' ? first.value : undefined
  const rest = first === undefined ? [...argv] : argv.filter((_, index) => index !== first.index)
  const options = { ...globalOptions, ...(command === undefined ? {} : commandOptions(command)) }
  try {
    const parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true })
    return { command, values: parsed.values, positionals: parsed.positionals }
  } catch (error) {
    throw usageError(
      error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error),
    )
  }
}

/** A string flag's value, or undefined. */
export function stringFlag(values: ParsedValues, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

export function booleanFlag(values: ParsedValues, name: string): boolean {
  return values[name] === true
}

/** A whole number from a flag or argument; a usage error naming `what` otherwise. */
export function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text.trim())) throw usageError(`${what}: "${text}" is not a whole number`)
  return Number(text.trim())
}

/** The VMID argument of a VM command. */
export function vmidArgument(positionals: readonly string[], index: number, usage: string): number {
  const text = positionals[index]
  if (text === undefined) throw usageError(`missing VMID; usage: ${usage}`)
  const vmid = wholeNumber(text, 'VMID')
  if (vmid === undefined || vmid < 100)
    throw usageError(`VMID: "${text}" must be a number of at least 100`)
  return vmid
}
