import type { FastifySchema } from 'fastify'
import type { DocumentedResponse, RouteDoc } from './route-docs.js'

type JsonSchema = Record<string, unknown>

const errorBody: JsonSchema = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
}

/**
 * The schema @fastify/swagger documents a route with: the route's own schema (request body,
 * params, JSON replies) plus the summary, tag and examples of its {@link RouteDoc}, and the
 * plain-text and SSE answers that no serializer schema describes. The route's real schema is
 * left untouched; this copy is only read by the document generator.
 */
export function documentRoute(schema: FastifySchema | undefined, doc: RouteDoc): FastifySchema {
  const base: FastifySchema = schema ?? {}
  const body =
    isRecord(base.body) && doc.body !== undefined
      ? { ...base.body, examples: [doc.body] }
      : base.body
  const generated = isRecord(base.response) ? base.response : {}
  const response: Record<string, JsonSchema> = {}
  for (const [status, answer] of Object.entries(doc.responses)) {
    response[status] = describeAnswer(answer, generated[status])
  }
  return {
    ...base,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    tags: [doc.tag],
    ...(body === undefined ? {} : { body }),
    response,
  }
}

function describeAnswer(answer: DocumentedResponse, generated: unknown): JsonSchema {
  const schema = isRecord(generated) ? generated : fallbackSchema(answer)
  return {
    description: answer.description,
    content: { [answer.contentType]: { schema, example: answer.example } },
  }
}

function fallbackSchema(answer: DocumentedResponse): JsonSchema {
  if (answer.contentType === 'application/json') return errorBody
  return { type: 'string' }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
