import { isIPv4 } from 'node:net'
import { Secret } from './secret.js'
import type { ConfigVariable } from './variables.js'

/** Options of an integer variable. */
export interface IntegerOptions {
  min: number
  max?: number | undefined
  /** Printed after the bound, e.g. `MB`. */
  unit?: string | undefined
}

const integerText = /^\d{1,15}$/
const decimalText = /^(?:\d{1,15}(?:\.\d*)?|\.\d+)$/

/**
 * Reads variables from one merged set of strings and collects every problem instead of stopping
 * at the first. A reader returns undefined for an unset or invalid value, so callers apply their
 * defaults and go on; the caller throws once at the end if `problems` is not empty. An empty or
 * blank value counts as unset, as in the seed's `VM_ROOT_PASSWORD=`.
 */
export class EnvReader {
  readonly problems: string[] = []
  readonly #vars: Readonly<Record<string, string | undefined>>

  constructor(vars: Readonly<Record<string, string | undefined>>) {
    this.#vars = vars
  }

  /** Records a problem; `name` first, then what is allowed. */
  problem(name: string, text: string): void {
    this.problems.push(`${name}: ${text}`)
  }

  /** The trimmed value, or undefined when unset or blank. */
  text(name: ConfigVariable): string | undefined {
    return present(this.#raw(name)?.trim())
  }

  /** Names of all set variables that start with `prefix`, sorted. */
  namesStartingWith(prefix: string): string[] {
    return Object.keys(this.#vars)
      .filter((name) => name.startsWith(prefix) && this.#raw(name)?.trim())
      .sort()
  }

  /** The trimmed value of any variable (for families such as `NODE_<name>`). */
  anyText(name: string): string | undefined {
    return present(this.#raw(name)?.trim())
  }

  /** An integer within bounds. */
  integer(name: ConfigVariable, options: IntegerOptions): number | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const number = Number(value)
    const { min, max } = options
    if (integerText.test(value) && number >= min && (max === undefined || number <= max)) {
      return number
    }
    const unit = options.unit === undefined ? '' : ` (${options.unit})`
    const range =
      max === undefined
        ? `an integer of at least ${min}${unit}`
        : `an integer from ${min} to ${max}${unit}`
    this.problem(name, `must be ${range}, got ${quote(value)}`)
    return undefined
  }

  /** A decimal number within bounds. */
  decimal(name: ConfigVariable, min: number, max: number): number | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const number = Number(value)
    if (decimalText.test(value) && number >= min && number <= max) return number
    this.problem(name, `must be a number from ${min} to ${max}, got ${quote(value)}`)
    return undefined
  }

  /** One of a fixed set of words. */
  oneOf<T extends string>(name: ConfigVariable, allowed: readonly T[]): T | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const match = allowed.find((word) => word === value)
    if (match !== undefined) return match
    this.problem(name, `must be one of ${allowed.join(', ')}, got ${quote(value)}`)
    return undefined
  }

  /** A dotted-quad IPv4 address. */
  ipv4(name: ConfigVariable): string | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    if (isIPv4(value)) return value
    this.problem(name, `must be an IPv4 address such as 127.0.0.1, got ${quote(value)}`)
    return undefined
  }

  /** A value matching `pattern`, described to the user as `what`. */
  matching(name: ConfigVariable, pattern: RegExp, what: string): string | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    if (pattern.test(value)) return value
    this.problem(name, `must be ${what}, got ${quote(value)}`)
    return undefined
  }

  /** A comma-separated list, entries trimmed, empty entries dropped. */
  list(name: ConfigVariable): string[] | undefined {
    const value = this.text(name)
    if (value === undefined) return undefined
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
    return entries.length === 0 ? undefined : entries
  }

  /** A secret, kept exactly as written (no trimming) and never echoed in a problem. */
  secret(name: ConfigVariable): Secret | undefined {
    const value = this.#raw(name)
    if (value === undefined || value.trim() === '') return undefined
    return new Secret(value)
  }

  #raw(name: string): string | undefined {
    return Object.hasOwn(this.#vars, name) ? this.#vars[name] : undefined
  }
}

function present(value: string | undefined): string | undefined {
  return value === '' ? undefined : value
}

/** A value as shown in a problem: quoted, escaped, and cut short if long. */
export function quote(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 61)}...` : value
  return JSON.stringify(shown)
}
