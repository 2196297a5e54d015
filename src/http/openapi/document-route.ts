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
export function documentRoute(
  schema: FastifySchema | undefined,
  doc: RouteDoc,
  options: { needsToken: boolean },
): FastifySchema {
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
  if (options.needsToken) response['401'] = describeAnswer(unauthorized(doc), undefined)
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

const tokenMessage = 'this route needs an API token: send "Authorization: Bearer <token>"'

/** The refusal when tokens are configured and none (or a wrong one) came; in the route's format. */
function unauthorized(doc: RouteDoc): DocumentedResponse {
  const json = Object.values(doc.responses).some(
    (answer) => answer.contentType === 'application/json',
  )
  return json
    ? {
        description: 'API tokens are configured and the request carried none or a wrong one',
        contentType: 'application/json',
        example: { success: false, code: 'AUTH_REQUIRED', message: tokenMessage },
      }
    : {
        description: 'API tokens are configured and the request carried none or a wrong one',
        contentType: 'text/plain',
        example: tokenMessage,
      }
}
