/** One ajv error as Fastify hands it over (only the fields we read). */
export interface SchemaError {
  instancePath: string
  keyword?: string | undefined
  message?: string | undefined
  params: Record<string, unknown>
}

/**
 * What each request field allows, in words: said instead of a validator's internals (a raw
 * regular expression, `must match a schema in anyOf`) when a value has the wrong form.
 */
const fieldHints: Record<string, string> = {
  os: 'must be one of debian, ubuntu, rockylinux',
  version: 'must be a release of the OS, e.g. 12, 24.04 or 9 (GET /api/os lists them)',
  name: 'must be a host name: letters, digits and hyphens (not first or last), at most 63 characters, e.g. web-01',
  node: 'must be a node name: letters, digits and hyphens (not first or last), e.g. pve2',
  disk: 'must be a size in G (or M, T), e.g. 20G, 512M or 1T',
  user: 'must be a Linux user name: lower-case letters, digits, _ and -, starting with a letter or _, at most 32 characters',
  passwd: 'must be 1 to 256 characters, none of them a control character',
  pubkey:
    'must be one OpenSSH public key line: type, base64 key and an optional comment, e.g. ssh-ed25519 AAAA… you@host',
  id: 'must be a VMID: a whole number from 100 to 999999999',
  vmid: 'must be a VMID: a whole number from 100 to 999999999',
}

/**
 * Turns schema errors into one line that names each field once and says what is allowed:
 * `cpu: must be at most 32`, `name: must be a host name: …`. The field is the property path; a
 * missing or unknown property is named from the error's params.
 */
export function validationMessage(errors: readonly SchemaError[], context: string): string {
  const byField = new Map<string, string>()
  for (const error of errors) {
    const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const missing = error.params.missingProperty
    const extra = error.params.additionalProperty
    if (typeof missing === 'string') {
      setOnce(byField, join(path, missing), 'is required')
      continue
    }
    if (typeof extra === 'string') {
      setOnce(byField, join(path, extra), 'is not a known field')
      continue
    }
    const field = path === '' ? context : path
    setOnce(byField, field, plainWords(field, error))
  }
  return [...byField].map(([field, text]) => `${field}: ${text}`).join('; ')
}

/** The first problem found with a field is the one said; a field is never named twice. */
function setOnce(map: Map<string, string>, field: string, text: string): void {
  if (!map.has(field)) map.set(field, text)
}

function plainWords(field: string, error: SchemaError): string {
  const hint = fieldHints[field.split('.').at(-1) ?? field]
  const limit = error.params.limit
  switch (error.keyword) {
    case 'pattern':
    case 'anyOf':
    case 'oneOf':
    case 'const':
    case 'enum':
    case 'format':
      return hint ?? 'has a form that is not allowed'
    case 'maximum':
      return typeof limit === 'number' ? `must be at most ${limit}` : (hint ?? 'is too large')
    case 'minimum':
      return typeof limit === 'number' ? `must be at least ${limit}` : (hint ?? 'is too small')
    case 'maxLength':
      return `must be at most ${String(limit)} characters`
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${String(limit)} characters`
    case 'type':
      return typeWords(field, error.params.type, hint)
    case undefined:
    default:
      return hint ?? error.message ?? 'is invalid'
  }
}

function typeWords(field: string, type: unknown, hint: string | undefined): string {
  if (field === 'body' && type === 'object')
    return 'must be a JSON object, sent with Content-Type: application/json'
  if (type === 'integer')
    return field === 'id' && hint !== undefined ? hint : 'must be a whole number'
  if (type === 'number') return 'must be a number'
  if (type === 'string') return hint ?? 'must be text (a JSON string)'
  if (type === 'boolean') return 'must be true or false'
  return `must be of type ${String(type)}`
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`
}
