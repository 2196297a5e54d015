import { quote } from '../env-reader.js'

/** A plain object read from the file (a YAML mapping or JSON object). */
export type FileObject = Readonly<Record<string, unknown>>

/** Whether `value` is a mapping (not a list, not null). */
export function isFileObject(value: unknown): value is FileObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Reads the fields of one mapping of the networks file and records one problem per bad field,
 * each naming where it is (`network "lan"`, `network "lan" ipv6`) and the field. Readers return
 * undefined for a missing or bad value, so checking goes on and every problem is reported.
 */
export class FieldReader {
  readonly #object: FileObject
  readonly #where: string
  readonly #report: (line: string) => void

  constructor(object: FileObject, where: string, report: (line: string) => void) {
    this.#object = object
    this.#where = where
    this.#report = report
  }

  /** Records a problem of `field`. */
  problem(field: string, text: string): void {
    this.#report(`${this.#where}: ${field}: ${text}`)
  }

  /** Every key not in `allowed` is a problem (a typo would otherwise be silently ignored). */
  onlyKeys(allowed: readonly string[]): void {
    for (const key of Object.keys(this.#object)) {
      if (!allowed.includes(key)) {
        this.problem(key, `unknown key; allowed here: ${allowed.join(', ')}`)
      }
    }
  }

  has(field: string): boolean {
    return Object.hasOwn(this.#object, field) && this.#object[field] !== null
  }

  raw(field: string): unknown {
    return this.has(field) ? this.#object[field] : undefined
  }

  /** A non-empty string, trimmed; `required` makes a missing one a problem. */
  text(field: string, options: { required: boolean }): string | undefined {
    const value = this.raw(field)
    if (value === undefined) {
      if (options.required) this.problem(field, 'is required')
      return undefined
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(field, `must be a non-empty string, got ${shown(value)}`)
      return undefined
    }
    return value.trim()
  }

  integer(field: string, min: number, max: number): number | undefined {
    const value = this.raw(field)
    if (value === undefined) return undefined
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
      return value
    }
    this.problem(field, `must be an integer from ${min} to ${max}, got ${shown(value)}`)
    return undefined
  }

  boolean(field: string): boolean | undefined {
    const value = this.raw(field)
    if (value === undefined) return undefined
    if (typeof value === 'boolean') return value
    this.problem(field, `must be true or false, got ${shown(value)}`)
    return undefined
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    const value = this.raw(field)
    if (value === undefined) {
      this.problem(field, `is required: one of ${allowed.join(', ')}`)
      return undefined
    }
    const match = allowed.find((word) => word === value)
    if (match === undefined) {
      this.problem(field, `must be one of ${allowed.join(', ')}, got ${shown(value)}`)
    }
    return match
  }

  /** A mapping nested under `field`, or undefined (a non-mapping is a problem). */
  object(field: string): FileObject | undefined {
    const value = this.raw(field)
    if (value === undefined) return undefined
    if (isFileObject(value)) return value
    this.problem(field, `must be a mapping of keys, got ${shown(value)}`)
    return undefined
  }
}

/** A value as a problem shows it: JSON, quoted and cut short. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return quote(value)
  const text = JSON.stringify(value)
  return text.length > 64 ? `${text.slice(0, 61)}...` : text
}
