import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { documentRoute } from './document-route.js'
import { lazyDocs } from './lazy-docs.js'
import { routeDocs } from './route-docs.js'

export interface OpenApiOptions {
  /** the service's version, shown in the document's info */
  version: string
}

/** Routes that never need an API token: health and the init scripts guests fetch. */
const tokenFree = ['/api/health', '/sh']

/** Where the generated document and the interactive UI are served. */
export const openApiPaths = { document: '/api/openapi.json', ui: '/docs' } as const

/**
 * OpenAPI 3.1 generated from the route schemas (@fastify/swagger), completed with each route's
 * summary and examples from {@link routeDocs}; served at `/api/openapi.json`, with Swagger UI at
 * `/docs`. Register it before the routes: it learns them as they are added.
 */
export const openApi = fp(
  async (app: FastifyInstance, options: OpenApiOptions) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'pve-qemu',
          version: options.version,
          description:
            'One HTTP call in, a booted, configured, reachable VM out of a Proxmox VE cluster. ' +
            'Long operations stream Server-Sent Events and run as jobs you can follow again.',
        },
        tags: [
          { name: 'vm', description: "the seed's VM routes" },
          { name: 'jobs', description: 'long operations: follow, replay, cancel' },
          { name: 'catalog', description: 'installable operating systems' },
          { name: 'service', description: 'health and metrics' },
        ],
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description: 'an API token, needed when the service has tokens configured',
            },
          },
        },
        security: [{}, { bearerAuth: [] }],
      },
      transform: ({ schema, url, route }) => {
        const method = Array.isArray(route.method) ? route.method.join(',') : route.method
        if (method === 'HEAD') return { schema: { ...schema, hide: true }, url }
        const doc = routeDocs[`${method} ${url}`]
        if (doc === undefined) return { schema, url }
        const needsToken = !tokenFree.some((open) => url === open || url.startsWith(`${open}/`))
        return { schema: documentRoute(schema, doc, { needsToken }), url }
      },
    })
    // Swagger UI loads on its first request (see lazy-docs.ts), not with the service
    lazyDocs(app, {
      prefix: openApiPaths.ui,
      document: () => app.swagger(),
      uiConfig: { deepLinking: true, docExpansion: 'list' },
    })
    app.get(
      openApiPaths.document,
      { schema: { hide: true }, config: { replyAs: 'json' } },
      async () => app.swagger(),
    )
  },
  { name: 'openapi' },
)
