import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { InvalidInputError } from '../../provision/errors.js'

/** A whole number written the one plain way: decimal digits, no sign, no leading zero. */
const plainInteger = /^(?:0|[1-9][0-9]*)$/

type Part = 'params' | 'querystring' | 'body'

/**
 * Ajv coerces a path or query value to a number with `Number()`, so `1e2`, `0x64`, `+100`,
 * `0100` and ` 100` would all address VM 100. This plugin looks at every route's schema and,
 * for each integer field of its params, query or body, refuses (400, naming the field) a value
 * sent as text that is not plain decimal digits — before validation coerces it. A JSON number
 * in a body is left to the schema. Register it before the routes.
 */
export const strictIntegers = fp(
  (app: FastifyInstance) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      const fields = integerFields(route)
      if (fields.length === 0) return
      const check = async (request: FastifyRequest): Promise<void> => {
        for (const { part, name } of fields) {
          const value = partOf(request, part)?.[name]
          if (typeof value !== 'string' || plainInteger.test(value)) continue
          throw new InvalidInputError(
            name,
            `must be a whole number in decimal digits (no sign, exponent, hex or leading zero), got ${JSON.stringify(value.slice(0, 32))}`,
          )
        }
      }
      const existing = route.preValidation
      route.preValidation =
        existing === undefined
          ? [check]
          : [check, ...(Array.isArray(existing) ? existing : [existing])]
    })
  },
  { name: 'strict-integers' },
)

function integerFields(route: RouteOptions): { part: Part; name: string }[] {
  const schema: unknown = route.schema
  if (typeof schema !== 'object' || schema === null) return []
  const fields: { part: Part; name: string }[] = []
  for (const part of ['params', 'querystring', 'body'] as const) {
    const properties = propertiesOf(part in schema ? Reflect.get(schema, part) : undefined)
    for (const [name, property] of Object.entries(properties)) {
      if (isInteger(property)) fields.push({ part, name })
    }
  }
  return fields
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null || !('properties' in schema)) return {}
  const { properties } = schema
  return typeof properties === 'object' && properties !== null
    ? Object.fromEntries(Object.entries(properties))
    : {}
}

function isInteger(schema: unknown): boolean {
  return (
    typeof schema === 'object' && schema !== null && 'type' in schema && schema.type === 'integer'
  )
}

function partOf(request: FastifyRequest, part: Part): Record<string, unknown> | undefined {
  const value: unknown =
    part === 'params' ? request.params : part === 'querystring' ? request.query : request.body
  if (typeof value !== 'object' || value === null) return undefined
  return Object.fromEntries(Object.entries(value))
}
