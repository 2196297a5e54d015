/**
 * Option parsing as PVE's CLIs do it (pve.md §0.1): Getopt::Long with `--` or `-` prefixes,
 * `--opt=value`, unique-prefix abbreviation, case-insensitive names, positionals anywhere,
 * booleans with an optional value, list options that may repeat.
 */

/** `string` takes a value (any word, even one starting with `-`); `boolean` an optional one
 * parsed as a boolean; `optional` an optional one kept as given (`1` when absent); `list` a value
 * that may repeat. */
export type OptionKind = 'string' | 'boolean' | 'optional' | 'list'

export interface OptionTable {
  /** The kind of an option, by its full name; undefined for an unknown name. */
  kind(name: string): OptionKind | undefined
  /** Every option name, for abbreviations. */
  names(): readonly string[]
  /** Accept a name that is not in `names()` as it is (pvesh passes API parameters through). */
  acceptsAny?: boolean
}

export interface ParsedArgs {
  positional: string[]
  /** Full option names to values; a boolean given alone is `1`, list values are joined by `,`. */
  options: Record<string, string>
}

/** Why parsing failed: Getopt's own warning (printed first) and the 400 message. */
export interface GetoptFailure {
  warnings: string[]
  message: string
}

const optionWord = /^--?([^=]+)(?:=(.*))?$/s

/** Parses `args` against `table`; returns the values or what the real tool would print. */
export function getopt(args: readonly string[], table: OptionTable): ParsedArgs | GetoptFailure {
  const positional: string[] = []
  const options: Record<string, string> = {}
  const warnings: string[] = []
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? ''
    if (word === '--') {
      positional.push(...args.slice(i + 1))
      break
    }
    const match = word === '-' ? null : optionWord.exec(word)
    if (match?.[1] === undefined) {
      positional.push(word)
      continue
    }
    const name = resolveOption(match[1], table, warnings)
    if (name === undefined) continue
    const kind = table.kind(name) ?? 'string'
    let value = match[2]
    if (value === undefined) {
      const next = args[i + 1]
      if (kind === 'boolean' || kind === 'optional') {
        // an optional value is taken only when it does not look like an option itself
        if (next !== undefined && !next.startsWith('-')) {
          value = next
          i++
        } else value = ''
      } else if (next === undefined) {
        warnings.push(`Option ${name} requires an argument`)
        continue
      } else {
        value = next
        i++
      }
    }
    if (kind === 'boolean') {
      const parsed = parseBoolean(value)
      if (parsed === undefined) return { warnings, message: 'unable to parse boolean option' }
      options[name] = parsed
    } else if (kind === 'optional') {
      options[name] = value === '' ? '1' : value
    } else if (kind === 'list' && options[name] !== undefined) {
      options[name] = `${options[name]},${value}`
    } else {
      options[name] = value
    }
  }
  if (warnings.length > 0) return { warnings, message: 'unable to parse option' }
  return { positional, options }
}

function resolveOption(given: string, table: OptionTable, warnings: string[]): string | undefined {
  const lower = given.toLowerCase()
  const names = table.names()
  const exact = names.find((name) => name.toLowerCase() === lower)
  if (exact !== undefined) return exact
  const candidates = names.filter((name) => name.toLowerCase().startsWith(lower))
  if (candidates.length === 1) return candidates[0]
  if (candidates.length === 0 && table.acceptsAny === true) return given
  if (candidates.length === 0) warnings.push(`Unknown option: ${lower}`)
  else warnings.push(`Option ${given} is ambiguous (${[...candidates].sort().join(', ')})`)
  return undefined
}

/** PVE's `parse_boolean`, plus Getopt's "given alone means 1". */
export function parseBoolean(value: string): string | undefined {
  if (value === '') return '1'
  if (/^(1|true|yes|on)$/i.test(value)) return '1'
  if (/^(0|false|no|off)$/i.test(value)) return '0'
  return undefined
}

export function isGetoptFailure(result: ParsedArgs | GetoptFailure): result is GetoptFailure {
  return 'message' in result
}

/** A table from a plain record of names to kinds. */
export function optionTable(kinds: Record<string, OptionKind>): OptionTable {
  const names = Object.keys(kinds)
  return {
    kind: (name) => (Object.hasOwn(kinds, name) ? kinds[name] : undefined),
    names: () => names,
  }
}
