import { createServer, request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'

/** What the proxy was asked for: a CONNECT tunnel, or a plain request by absolute URL. */
export interface ProxiedRequest {
  method: string
  /** `host:port` for CONNECT, the absolute URL otherwise */
  target: string
  /** the Proxy-Authorization header, when the client sent one */
  authorization?: string
}

export interface TestProxy {
  url: string
  requests: ProxiedRequest[]
  /** answer every request with 407 instead of forwarding it */
  refuseWith407: boolean
  close(): Promise<void>
}

/**
 * A forward proxy on 127.0.0.1 as a Proxmox node's network may have one: CONNECT tunnels (which
 * undici uses for http and https alike) and plain requests by absolute URL. It forwards only to
 * loopback addresses, so a test can never make it reach anything else.
 */
export async function startTestProxy(): Promise<TestProxy> {
  const sockets = new Set<Socket>()
  const proxy: TestProxy = {
    url: '',
    requests: [],
    refuseWith407: false,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
  const record = (method: string, target: string, authorization: string | undefined): void => {
    proxy.requests.push({
      method,
      target,
      ...(authorization === undefined ? {} : { authorization }),
    })
  }
  const server = createServer((request, response) => {
    record(request.method ?? 'GET', request.url ?? '', request.headers['proxy-authorization'])
    const target = new URL(request.url ?? '')
    if (proxy.refuseWith407 || !target.hostname.startsWith('127.')) {
      response.writeHead(proxy.refuseWith407 ? 407 : 403).end()
      return
    }
    const upstream = httpRequest(
      target,
      { method: request.method, headers: { ...request.headers, host: target.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      },
    )
    upstream.on('error', () => response.destroy())
    request.pipe(upstream)
  })
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const target = request.url ?? ''
    record('CONNECT', target, request.headers['proxy-authorization'])
    const [host, port] = target.split(':')
    if (proxy.refuseWith407 || !host?.startsWith('127.')) {
      client.end(
        `HTTP/1.1 ${proxy.refuseWith407 ? '407 Proxy Authentication Required' : '403 Forbidden'}\r\n\r\n`,
      )
      return
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(client).add(upstream)
    const close = (): void => {
      client.destroy()
      upstream.destroy()
    }
    upstream.on('error', close).on('close', close)
    client.on('error', close).on('close', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  proxy.url = `http://127.0.0.1:${address.port}`
  return proxy
}
