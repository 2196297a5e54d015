/** One ajv error as Fastify hands it over (only the fields we read). */
export interface SchemaError {
  instancePath: string
  message?: string | undefined
  params: Record<string, unknown>
}

/**
 * Turns schema errors into one line that names each field: `cpu: must be <= 32`. The field is
 * the property path; a missing or unknown property is named from the error's params.
 */
export function validationMessage(errors: readonly SchemaError[], context: string): string {
  const parts = errors.map((error) => {
    const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.')
    const missing = error.params.missingProperty
    const extra = error.params.additionalProperty
    if (typeof missing === 'string') return `${join(path, missing)}: is required`
    if (typeof extra === 'string') return `${join(path, extra)}: is not a known field`
    const field = path === '' ? context : path
    return `${field}: ${error.message ?? 'is invalid'}`
  })
  return [...new Set(parts)].join('; ')
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`
}
