import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, get, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp
let document: OpenApiDocument

interface MediaType {
  schema?: unknown
  example?: unknown
}
interface Operation {
  summary?: string
  tags?: string[]
  requestBody?: { content: Record<string, MediaType> }
  responses: Record<string, { description: string; content?: Record<string, MediaType> }>
}
interface OpenApiDocument {
  [key: string]: unknown
  openapi: string
  paths: Record<string, Record<string, Operation>>
}

beforeAll(async () => {
  t = await buildTestApp()
  const reply = await get(`${t.url}/api/openapi.json`)
  expect(reply.status).toBe(200)
  document = JSON.parse(reply.text) as OpenApiDocument
})
afterAll(async () => {
  await t.close()
})

function operations(): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  )
}

const seedRoutes = [
  'GET /api/health',
  'POST /api/vm/install',
  'GET /api/vm/list',
  'GET /api/vm/{id}/status',
  'POST /api/vm/{id}/start',
  'POST /api/vm/{id}/stop',
  'POST /api/vm/{id}/shutdown',
  'POST /api/vm/{id}/reboot',
  'POST /api/vm/{id}/destroy',
  'POST /api/vm/{id}/set/cpu',
  'POST /api/vm/{id}/set/memory',
  'POST /api/vm/{id}/set/disk',
  'POST /api/vm/{id}/set/node',
  'GET /sh/{name}',
]

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0')
    const result = await new Validator().validate(structuredClone(document))
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it("documents every route of the seed and ours, and nothing of the UI's plumbing", () => {
    const documented = operations().map(([route]) => route)
    for (const route of [...seedRoutes, 'GET /api/os', 'GET /metrics']) {
      expect(documented).toContain(route)
    }
    expect(documented.filter((route) => route.startsWith('HEAD '))).toEqual([])
    expect(documented.filter((route) => route.includes('/docs') || route === 'GET /')).toEqual([])
  })

  it('gives every route a summary, a tag and an example of its success answer', () => {
    for (const [route, operation] of operations()) {
      expect(operation.summary, route).toBeTruthy()
      expect(operation.tags?.length, route).toBe(1)
      const ok = operation.responses['200']
      expect(ok, route).toBeDefined()
      const media = Object.values(ok?.content ?? {})
      expect(media.length, route).toBe(1)
      expect(media[0]?.example, route).toBeDefined()
    }
  })

  it('says which answers are plain text, JSON or event streams', () => {
    const type = (route: string): string => {
      const operation = operations().find(([name]) => name === route)?.[1]
      return Object.keys(operation?.responses['200']?.content ?? {})[0] ?? ''
    }
    expect(type('GET /api/vm/{id}/status')).toBe('text/plain')
    expect(type('GET /api/vm/list')).toBe('application/json')
    expect(type('POST /api/vm/install')).toBe('text/event-stream')
    expect(type('POST /api/vm/{id}/set/node')).toBe('text/event-stream')
  })

  it('has request examples the service accepts', async () => {
    const withBodies = operations().filter(([, operation]) => operation.requestBody !== undefined)
    expect(withBodies.length).toBeGreaterThanOrEqual(5)
    for (const [route, operation] of withBodies) {
      const example = operation.requestBody?.content['application/json']?.example
      expect(example, route).toBeDefined()
      const path = route.split(' ')[1]?.replace('{id}', '100') ?? ''
      const answer = await readSse(`${t.url}${path}`, { body: example })
      // a wrong state (409) is fine here: the point is that the body itself is valid
      expect(answer.status, `${route} ${answer.text ?? ''}`).not.toBe(400)
    }
  })
})

describe('GET /docs', () => {
  it('serves the interactive documentation', async () => {
    const page = await get(`${t.url}/docs/`)
    expect(page.status).toBe(200)
    expect(page.type).toContain('text/html')
    expect(page.text.toLowerCase()).toContain('swagger')
  })

  it("serves Swagger UI's own files and the service's document (the UI loads on first use)", async () => {
    const script = await get(`${t.url}/docs/static/swagger-ui-bundle.js`)
    expect(script.status).toBe(200)
    expect(script.type).toContain('javascript')
    expect(script.text.length).toBeGreaterThan(100_000)
    const shown = await get(`${t.url}/docs/json`)
    expect(shown.status).toBe(200)
    expect(JSON.parse(shown.text)).toEqual(document)
    expect((await get(`${t.url}/docs/static/no-such-file.js`)).status).toBe(404)
  })
})

describe('the API description when tokens are configured', () => {
  it('documents the 401 of every route that needs a token, and none of the open ones', () => {
    for (const [route, operation] of operations()) {
      const open = route === 'GET /api/health' || route.startsWith('GET /sh/')
      expect(operation.responses['401'] === undefined, route).toBe(open)
    }
  })
})
