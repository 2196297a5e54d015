import { messages } from '../api/params.js'

/** How one key of a property string is checked. */
export type SubSpec =
  | { type: 'enum'; values: readonly string[] }
  | { type: 'bool' }
  | { type: 'int'; minimum?: number; maximum?: number }
  | { type: 'pattern'; pattern: RegExp }
  /** a format validator: returns why the value is invalid (printed after `invalid format - `) */
  | { type: 'format'; check: (value: string) => string | undefined }
  | { type: 'any' }

export interface PropertyFormat {
  /** the key a bare first value belongs to (`file` for drives, `model` for nics) */
  defaultKey?: string
  keys: Record<string, SubSpec>
}

export type ParsedProperties = Map<string, string>

const boolText = /^(1|0|true|false|yes|no|on|off)$/i

function checkSub(spec: SubSpec, value: string): string | undefined {
  switch (spec.type) {
    case 'enum':
      return spec.values.includes(value) ? undefined : messages.enumeration(value, spec.values)
    case 'bool':
      return boolText.test(value) ? undefined : messages.typeCheck('boolean', value)
    case 'int':
      if (!/^[+-]?\d+$/.test(value)) return messages.typeCheck('integer', value)
      if (spec.minimum !== undefined && Number(value) < spec.minimum)
        return messages.minimum(spec.minimum)
      if (spec.maximum !== undefined && Number(value) > spec.maximum)
        return messages.maximum(spec.maximum)
      return undefined
    case 'pattern':
      return spec.pattern.test(value) ? undefined : messages.pattern
    case 'format': {
      const reason = spec.check(value)
      return reason === undefined ? undefined : messages.format(reason)
    }
    case 'any':
      return undefined
  }
}

/**
 * Parses `a=1,b=2` (or `value,b=2` with a default key) like PVE's `parse_property_string`.
 * On failure returns the errors a 400 shows: `<name>: invalid format - format error` and one
 * `<name>.<key>: ...` line per bad key.
 */
export function parsePropertyString(
  name: string,
  text: string,
  format: PropertyFormat,
): { ok: true; values: ParsedProperties } | { ok: false; errors: Record<string, string> } {
  const values: ParsedProperties = new Map()
  const errors: Record<string, string> = {}
  const parts = text.split(',')
  parts.forEach((part, index) => {
    if (part === '') return
    const eq = part.indexOf('=')
    let key: string
    let value: string
    if (eq < 0) {
      if (index === 0 && format.defaultKey !== undefined) {
        key = format.defaultKey
        value = part
      } else {
        key = part
        value = ''
        errors[`${name}.${key}`] = messages.unknown
        return
      }
    } else {
      key = part.slice(0, eq)
      value = part.slice(eq + 1)
    }
    const spec = format.keys[key]
    if (!spec) {
      errors[`${name}.${key}`] = messages.unknown
      return
    }
    if (values.has(key)) {
      errors[`${name}.${key}`] = 'duplicate key in comma-separated list property'
      return
    }
    const problem = checkSub(spec, value)
    if (problem !== undefined) {
      errors[`${name}.${key}`] = problem
      return
    }
    values.set(key, value)
  })
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors: { [name]: messages.format('format error'), ...errors } }
  }
  return { ok: true, values }
}

/** Prints properties like `print_property_string`: the default key's bare value first, the rest sorted. */
export function printPropertyString(values: ParsedProperties, defaultKey?: string): string {
  const parts: string[] = []
  const first = defaultKey === undefined ? undefined : values.get(defaultKey)
  if (first !== undefined) parts.push(first)
  for (const key of [...values.keys()].sort()) {
    if (key === defaultKey) continue
    parts.push(`${key}=${values.get(key) ?? ''}`)
  }
  return parts.join(',')
}

/** True for PVE's boolean words meaning yes. */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value)
}
