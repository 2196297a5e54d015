import { CliError } from '../errors.js'

/** A JSON object read field by field; a missing or mistyped field is a clear error. */
export interface JsonFields {
  string(key: string): string
  number(key: string): number
  boolean(key: string): boolean
  optionalString(key: string): string | undefined
  optionalNumber(key: string): number | undefined
  optionalBoolean(key: string): boolean | undefined
  array(key: string): unknown[]
  object(key: string): JsonFields
  has(key: string): boolean
  /** the object's keys, in order */
  keys(): string[]
}

/** Reads `value` as a JSON object; `what` names it in errors ("VM list", "job"). */
export function readFields(value: unknown, what: string): JsonFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(what, 'is not an object')
  }
  const record: Record<string, unknown> = { ...value }
  const typed = <T>(key: string, type: string, check: (v: unknown) => v is T): T => {
    const field = record[key]
    if (!check(field)) throw bad(what, `field ${key} is not a ${type}`)
    return field
  }
  return {
    string: (key) => typed(key, 'string', isString),
    number: (key) => typed(key, 'number', isNumber),
    boolean: (key) => typed(key, 'boolean', isBoolean),
    optionalString: (key) => (record[key] == null ? undefined : typed(key, 'string', isString)),
    optionalNumber: (key) => (record[key] == null ? undefined : typed(key, 'number', isNumber)),
    optionalBoolean: (key) => (record[key] == null ? undefined : typed(key, 'boolean', isBoolean)),
    array: (key) => typed(key, 'list', isArray),
    object: (key) => readFields(record[key], `${what}.${key}`),
    has: (key) => record[key] !== undefined,
    keys: () => Object.keys(record),
  }
}

function bad(what: string, problem: string): CliError {
  return new CliError('CLI_BAD_ANSWER', `unexpected answer from the service: ${what} ${problem}`)
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isNumber = (v: unknown): v is number => typeof v === 'number'
const isArray = (v: unknown): v is unknown[] => Array.isArray(v)
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean'
