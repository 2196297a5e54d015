import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SwaggerTransformObject } from '@fastify/swagger'

export interface LazyDocsOptions {
  /** where Swagger UI is served (`/docs`) */
  prefix: string
  /** the OpenAPI document it shows (the main app's `app.swagger()`), asked for on first use */
  document: () => ReturnType<SwaggerTransformObject>
  uiConfig: Record<string, unknown>
}

/** Headers of the inner answer that belong to its own connection, not to the one we answer. */
const connectionHeaders = new Set(['connection', 'content-length', 'date', 'keep-alive'])

/**
 * Swagger UI at `prefix`, loaded on its first request: @fastify/swagger-ui and the static file
 * server under it are a good part of what the service would otherwise load at start for a page
 * few open. The first request builds a small app of their own with the document, and every
 * request under `prefix` is answered by it (`inject`, in process); the main app's hooks (host,
 * origin, allow-list, token) have run on the request by then, as for any route.
 */
export function lazyDocs(app: FastifyInstance, options: LazyDocsOptions): void {
  let docs: Promise<FastifyInstance> | undefined
  const answer = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    docs ??= buildDocsApp(options).catch((error: unknown) => {
      docs = undefined
      throw error
    })
    const inner = await (
      await docs
    ).inject({
      method: request.method === 'HEAD' ? 'HEAD' : 'GET',
      url: request.url,
      headers: pick(request.headers, ['accept', 'if-none-match', 'if-modified-since']),
    })
    reply.code(inner.statusCode)
    for (const [name, value] of Object.entries(inner.headers)) {
      if (value !== undefined && !connectionHeaders.has(name)) reply.header(name, value)
    }
    return reply.send(inner.rawPayload)
  }
  const route = { schema: { hide: true }, config: { replyAs: 'text' as const } }
  app.get(options.prefix, route, answer)
  app.get(`${options.prefix}/*`, route, answer)
  app.addHook('onClose', async () => {
    if (docs !== undefined) await (await docs.catch(() => undefined))?.close()
  })
}

async function buildDocsApp(options: LazyDocsOptions): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ])
  const docs = Fastify({ logger: false })
  // the document is the main app's: the inner app has no documented route of its own
  await docs.register(swagger, { openapi: {}, transformObject: () => options.document() })
  await docs.register(swaggerUi, { routePrefix: options.prefix, uiConfig: options.uiConfig })
  await docs.ready()
  return docs
}

function pick(headers: FastifyRequest['headers'], names: string[]): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of names) {
    const value = headers[name]
    if (typeof value === 'string') picked[name] = value
  }
  return picked
}
