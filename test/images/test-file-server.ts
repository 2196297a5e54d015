import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/** How the test server answers one path. */
export type Route =
  | {
      kind: 'file'
      body: Buffer
      /** send no Content-Length (chunked) */
      omitLength?: boolean
      /** send this many bytes, then cut the connection */
      truncateAt?: number
      /** send this many bytes, then wait for `gate` before the rest */
      pauseAt?: number
      gate?: Promise<void>
      /** send this ETag with `Accept-Ranges: bytes`, and answer Range requests (If-Range too) */
      etag?: string
    }
  | { kind: 'redirect'; location: string; status?: number }
  | { kind: 'status'; status: number }
  /** accept the request and never answer */
  | { kind: 'hang' }

export interface TestFileServer {
  baseUrl: string
  routes: Map<string, Route>
  /** every request, in arrival order, with its Range header when it had one */
  requests: TestRequest[]
  count(method: string, path: string): number
  close(): Promise<void>
}

export interface TestRequest {
  method: string
  path: string
  range?: string
}

/** A node:http server on 127.0.0.1 answering from a table of routes the test can change. */
export async function startTestFileServer(): Promise<TestFileServer> {
  const routes = new Map<string, Route>()
  const requests: TestRequest[] = []
  const server = createServer((request, response) => {
    const path = request.url ?? '/'
    const { range } = request.headers
    requests.push({
      method: request.method ?? 'GET',
      path,
      ...(range === undefined ? {} : { range }),
    })
    void answer(routes.get(path), request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no port')
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    routes,
    requests,
    count: (method, path) =>
      requests.filter((entry) => entry.method === method && entry.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

async function answer(
  route: Route | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (route === undefined) {
    response.writeHead(404).end('not found')
    return
  }
  switch (route.kind) {
    case 'status':
      response.writeHead(route.status).end()
      return
    case 'redirect':
      response.writeHead(route.status ?? 302, { location: route.location }).end()
      return
    case 'hang':
      return
    case 'file':
      await sendFile(route, request, response)
  }
}

async function sendFile(
  route: Extract<Route, { kind: 'file' }>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' }
  const from = rangeStart(route, request)
  if (route.etag !== undefined) {
    headers.etag = route.etag
    headers['accept-ranges'] = 'bytes'
  }
  if (from !== undefined) {
    headers['content-range'] = `bytes ${from}-${route.body.length - 1}/${route.body.length}`
  }
  const body = route.body.subarray(from ?? 0)
  if (route.omitLength === true) headers['transfer-encoding'] = 'chunked'
  else headers['content-length'] = body.length
  response.writeHead(from === undefined ? 200 : 206, headers)
  if (request.method === 'HEAD') {
    response.end()
    return
  }
  if (route.truncateAt !== undefined) {
    response.write(body.subarray(0, route.truncateAt), () => {
      response.socket?.destroy()
    })
    return
  }
  if (route.pauseAt !== undefined && route.gate !== undefined) {
    response.write(body.subarray(0, route.pauseAt))
    await route.gate
    if (response.destroyed) return
    response.end(body.subarray(route.pauseAt))
    return
  }
  response.end(body)
}

// The first byte a `Range: bytes=<n>-` asks for, when the route's ETag allows it: If-Range
// with another ETag gets the whole file, as RFC 9110 §13.1.5 says.
function rangeStart(
  route: Extract<Route, { kind: 'file' }>,
  request: IncomingMessage,
): number | undefined {
  const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '')
  if (route.etag === undefined || match?.[1] === undefined) return undefined
  const ifRange = request.headers['if-range']
  if (ifRange !== undefined && ifRange !== route.etag) return undefined
  const start = Number(match[1])
  return start < route.body.length ? start : undefined
}
