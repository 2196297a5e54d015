import { PveParamError } from './errors.js'
import type { SimCaller, SimParams } from './types.js'

/** One parameter's JSON-schema-like description, the parts the simulator checks. */
export type ParamSpec = (
  | { type: 'integer'; minimum?: number; maximum?: number }
  | { type: 'number'; minimum?: number; maximum?: number }
  | { type: 'boolean' }
  | { type: 'string'; enum?: readonly string[]; pattern?: RegExp; maxLength?: number }
) & {
  optional?: boolean
  /** a format validator: returns the reason the value is invalid (printed after `invalid format - `) */
  format?: (value: string) => string | undefined
  /** the value is itself a property string that may report several errors (`scsi0`, `scsi0.foo`) */
  propertyString?: (value: string) => Record<string, string> | undefined
}

export type ParamLookup = (name: string) => ParamSpec | undefined

export const messages = {
  unknown: 'property is not defined in schema and the schema does not allow additional properties',
  missing: 'property is missing and it is not optional',
  typeCheck: (type: string, value: string) => `type check ('${type}') failed - got '${value}'`,
  minimum: (min: number) => `value must have a minimum value of ${min}`,
  maximum: (max: number) => `value must have a maximum value of ${max}`,
  enumeration: (value: string, values: readonly string[]) =>
    `value '${value}' does not have a value in the enumeration '${values.join(', ')}'`,
  pattern: 'value does not match the regex pattern',
  maxLength: (n: number) => `value may only be ${n} characters long`,
  /** validators `die` with a newline, so the message keeps it (pve.md §0.2) */
  format: (reason: string) => `invalid format - ${reason}\n`,
}

const cliTrue = /^(1|true|yes|on)$/i
const cliFalse = /^(0|false|no|off)$/i

function toText(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0'
  return String(value)
}

function checkBoolean(value: string | number | boolean, caller: SimCaller): string | undefined {
  if (typeof value === 'boolean') return caller.via === 'rest-form' ? undefined : value ? '1' : '0'
  const text = String(value)
  if (text === '1' || text === '0') return text
  if (caller.via === 'cli') {
    if (cliTrue.test(text)) return '1'
    if (cliFalse.test(text)) return '0'
  }
  return undefined
}

/** Checks one value against its spec; returns the normalized text or records errors. */
function checkValue(
  name: string,
  spec: ParamSpec,
  raw: string | number | boolean,
  caller: SimCaller,
  errors: Record<string, string>,
): string | undefined {
  const text = toText(raw)
  switch (spec.type) {
    case 'boolean': {
      const normalized = checkBoolean(raw, caller)
      if (normalized === undefined) errors[name] = messages.typeCheck('boolean', text)
      return normalized
    }
    case 'integer':
    case 'number': {
      const pattern =
        spec.type === 'integer' ? /^[+-]?\d+$/ : /^[+-]?(\d+|\d+\.\d+|\.\d+)([eE][+-]?\d+)?$/
      if (typeof raw === 'boolean' || !pattern.test(text)) {
        errors[name] = messages.typeCheck(spec.type, text)
        return undefined
      }
      if (spec.format) {
        const reason = spec.format(text)
        if (reason !== undefined) {
          errors[name] = messages.format(reason)
          return undefined
        }
      }
      const n = Number(text)
      if (spec.minimum !== undefined && n < spec.minimum) {
        errors[name] = messages.minimum(spec.minimum)
        return undefined
      }
      if (spec.maximum !== undefined && n > spec.maximum) {
        errors[name] = messages.maximum(spec.maximum)
        return undefined
      }
      return spec.type === 'integer' ? String(Math.trunc(n)) : text
    }
    case 'string': {
      if (spec.propertyString) {
        const problems = spec.propertyString(text)
        if (problems) {
          Object.assign(errors, problems)
          return undefined
        }
      }
      if (spec.format) {
        const reason = spec.format(text)
        if (reason !== undefined) {
          errors[name] = messages.format(reason)
          return undefined
        }
      }
      if (spec.pattern && !spec.pattern.test(text)) {
        errors[name] = messages.pattern
        return undefined
      }
      if (spec.maxLength !== undefined && text.length > spec.maxLength) {
        errors[name] = messages.maxLength(spec.maxLength)
        return undefined
      }
      if (spec.enum && !spec.enum.includes(text)) {
        errors[name] = messages.enumeration(text, spec.enum)
        return undefined
      }
      return text
    }
  }
}

/**
 * Verifies `params` like PVE's JSONSchema `validate`: every error is collected, then one
 * `400 Parameter verification failed.` is raised. Returns the values as text, booleans as 0/1.
 */
export function verifyParams(
  params: SimParams,
  lookup: ParamLookup,
  caller: SimCaller,
  required: readonly string[] = [],
): Record<string, string> {
  const errors: Record<string, string> = {}
  const values: Record<string, string> = {}
  for (const [name, raw] of Object.entries(params)) {
    const spec = lookup(name)
    if (!spec) {
      errors[name] = messages.unknown
      continue
    }
    const value = checkValue(name, spec, raw, caller, errors)
    if (value !== undefined) values[name] = value
  }
  for (const name of required) {
    if (!(name in params)) errors[name] = messages.missing
  }
  if (Object.keys(errors).length > 0) throw new PveParamError(errors)
  return values
}

/** A lookup over a fixed table. */
export function tableLookup(table: Record<string, ParamSpec>): ParamLookup {
  return (name) => (Object.hasOwn(table, name) ? table[name] : undefined)
}

/** The format check of `pve-vmid`: `^[1-9][0-9]{2,8}$`. */
export function vmidFormat(value: string): string | undefined {
  return /^[1-9][0-9]{2,8}$/.test(value) ? undefined : 'value does not look like a valid VM ID'
}

/** The format check of `pve-node`. */
export function nodeFormat(value: string): string | undefined {
  return /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(value)
    ? undefined
    : 'value does not look like a valid node name'
}

export const vmidSpec: ParamSpec = {
  type: 'integer',
  format: vmidFormat,
  minimum: 100,
  maximum: 999_999_999,
}
export const nodeSpec: ParamSpec = { type: 'string', format: nodeFormat }
