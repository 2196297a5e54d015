/**
 * pvesh's JSON encoders (pve.md §1.2): `json` is one canonical line (keys sorted), `json-pretty`
 * is JSON::XS pretty output (3-space indent, `"key" : value`, keys sorted).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

export function prettyJson(value: unknown, depth = 0): string {
  const indent = ' '.repeat(3 * (depth + 1))
  const close = ' '.repeat(3 * depth)
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((item) => `${indent}${prettyJson(item, depth + 1)}`)
    return `[\n${items.join(',\n')}\n${close}]`
  }
  if (isRecord(value)) {
    const keys = Object.keys(value).sort()
    if (keys.length === 0) return '{}'
    const items = keys.map(
      (key) => `${indent}${JSON.stringify(key)} : ${prettyJson(value[key], depth + 1)}`,
    )
    return `{\n${items.join(',\n')}\n${close}}`
  }
  return JSON.stringify(value ?? null)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isRecord(value)) return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key])
  return sorted
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
