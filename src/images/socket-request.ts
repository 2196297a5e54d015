import { connect as connectTcp, isIP, type OnReadOpts, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'

import { requestHeaders } from './http-request.js'
import { isRedirect, maxRedirects, redirectTarget } from './redirect-target.js'
import { exchange, type ExchangeResponse } from './socket-exchange.js'

export interface SocketRequestOptions {
  method: 'GET' | 'HEAD'
  url: string
  signal: AbortSignal
  /** no byte from the server for this long fails the request */
  idleTimeoutMs: number
  /** added to the TLS defaults, such as the CA of a private mirror */
  tls?: Pick<ConnectionOptions, 'ca'>
}

/** A response whose body has not been read yet; the socket waits until `readBody`. */
export interface SocketResponse extends ExchangeResponse {
  /** the URL that answered, after redirects */
  url: string
}

/**
 * A GET or HEAD over a plain socket, following redirects as fetch does. The socket reads into
 * one reused buffer (`onread`), or straight into the receiver's memory, so a multi-GiB body
 * allocates nothing per read: no garbage for the collector, no fresh pages for the kernel to
 * fault in, none of the per-chunk stream machinery that made fetch, and even undici, cost
 * several times the CPU of curl on the same download. Nor is there an HTTP parser in
 * WebAssembly to compile, which briefly took more memory than the whole download.
 *
 * HTTP/1.1 only, one request per connection (`Connection: close`). Bodies framed by length,
 * by chunks or by the close are all read; certificates are checked as by `https`.
 */
export async function socketRequest(options: SocketRequestOptions): Promise<SocketResponse> {
  let url = options.url
  for (let hops = 0; ; hops += 1) {
    const target = new URL(url)
    const response = await exchange({
      connect: (onread) => {
        const socket = openSocket(target, onread, options.tls)
        socket.write(requestText(options.method, target))
        return socket
      },
      expectBody: options.method !== 'HEAD',
      idleTimeoutMs: options.idleTimeoutMs,
      signal: options.signal,
    })
    const location = response.headers.location
    if (!isRedirect(response.statusCode) || location === undefined) return { ...response, url }
    response.close()
    if (hops === maxRedirects) throw new Error(`more than ${maxRedirects} redirects`)
    url = redirectTarget(location, url)
  }
}

function openSocket(target: URL, onread: OnReadOpts, tls: SocketRequestOptions['tls']): Socket {
  // URL keeps the brackets around an IPv6 address; sockets take it bare.
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1')
  if (target.protocol === 'http:') {
    return connectTcp({ host, port: Number(target.port || 80), onread })
  }
  if (target.protocol !== 'https:') throw new Error(`cannot request a ${target.protocol} URL`)
  const options: ConnectionOptions & { onread: OnReadOpts } = {
    host,
    port: Number(target.port || 443),
    ALPNProtocols: ['http/1.1'],
    onread,
    ...tls,
  }
  if (isIP(host) === 0) options.servername = host
  return connectTls(options)
}

function requestText(method: SocketRequestOptions['method'], target: URL): string {
  const path = `${target.pathname}${target.search}`
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${target.host}`]
  for (const [name, value] of Object.entries(requestHeaders)) lines.push(`${name}: ${value}`)
  lines.push('connection: close', '', '')
  return lines.join('\r\n')
}
