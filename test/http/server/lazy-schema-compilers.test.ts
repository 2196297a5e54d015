import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'

import { lazySchemaCompilers } from '../../../src/http/server/lazy-schema-compilers.js'

const apps: FastifyInstance[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})

/** One route with request and response schemas, under the given compilers. */
async function appWith(lazy: boolean): Promise<FastifyInstance> {
  const app = Fastify({
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false } },
    ...(lazy ? { schemaController: { compilersFactory: lazySchemaCompilers() } } : {}),
  })
  apps.push(app)
  app.post(
    '/vm/:vmid',
    {
      schema: {
        params: {
          type: 'object',
          properties: { vmid: { type: 'integer', minimum: 100 } },
          required: ['vmid'],
        },
        querystring: {
          type: 'object',
          properties: { tags: { type: 'array', items: { type: 'string' } } },
        },
        body: {
          type: 'object',
          properties: { cpu: { type: 'integer' }, name: { type: 'string' } },
          required: ['cpu'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { vmid: { type: 'integer' }, tags: { type: 'array' }, body: {} },
          },
        },
      },
    },
    async (request) => ({
      vmid: (request.params as { vmid: number }).vmid,
      tags: (request.query as { tags?: string[] }).tags,
      body: request.body,
      secret: 'not in the schema',
    }),
  )
  await app.ready()
  return app
}

async function answers(app: FastifyInstance): Promise<unknown[]> {
  const calls = [
    { url: '/vm/104?tags=a', payload: { cpu: '2', name: 'x', extra: 1 } },
    { url: '/vm/99', payload: { cpu: 2 } },
    { url: '/vm/104', payload: { name: 'no cpu' } },
    { url: '/vm/104', payload: { cpu: 'two' } },
  ]
  const out: unknown[] = []
  for (const call of calls) {
    const reply = await app.inject({ method: 'POST', ...call })
    out.push([reply.statusCode, reply.json()])
  }
  return out
}

describe('lazySchemaCompilers', () => {
  it('validates, coerces, strips and serializes exactly as fastify’s own compilers do', async () => {
    const lazy = await answers(await appWith(true))
    expect(lazy).toEqual(await answers(await appWith(false)))
    expect(lazy[0]).toEqual([200, { vmid: 104, tags: ['a'], body: { cpu: 2, name: 'x' } }])
    expect(lazy[1]).toMatchObject([400, { message: 'params/vmid must be >= 100' }])
    expect(lazy[2]).toMatchObject([400, { message: "body must have required property 'cpu'" }])
  })
})
