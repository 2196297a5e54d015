import { connect as connectTcp, isIP, type OnReadOpts, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'

import { createBodyFramer, type BodyFramer } from './body-framer.js'
import { requestHeaders } from './http-request.js'
import { isRedirect, maxRedirects, redirectTarget } from './redirect-target.js'
import {
  bodyFraming,
  parseResponseHead,
  type BodyFraming,
  type ResponseHead,
} from './response-head.js'

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
export interface SocketResponse extends ResponseHead {
  /** the URL that answered, after redirects */
  url: string
  framing: BodyFraming
  /**
   * Reads the body into `receive`, which must take each piece during the call (the memory is
   * reused) and returns false to stop reading until `resume`. Resolves at the end of the body;
   * rejects when the connection breaks first, times out, or the signal aborts.
   */
  readBody(receive: (bytes: Uint8Array) => boolean): Promise<void>
  /** reads on after `receive` returned false */
  resume(): void
  /** ends the connection; with an error, a `readBody` under way rejects with it */
  close(error?: Error): void
}

// Smaller reads measured cheaper than larger ones: the buffer stays in the CPU's cache.
const readBufferBytes = 32 * 1024
const maxHeadBytes = 64 * 1024
const headEnd = Buffer.from('\r\n\r\n')

/**
 * A GET or HEAD over a plain socket, following redirects as fetch does. The socket reads into
 * one reused buffer (`onread`), so a multi-GiB body allocates nothing per read: no garbage for
 * the collector, no fresh pages for the kernel to fault in, none of the per-chunk stream
 * machinery that made fetch, and even undici, cost several times the CPU of curl on the same
 * download. Nor is there an HTTP parser in WebAssembly to compile, which briefly took more
 * memory than the whole download.
 *
 * HTTP/1.1 only, one request per connection (`Connection: close`). Bodies framed by length,
 * by chunks or by the close are all read; certificates are checked as by `https`.
 */
export async function socketRequest(options: SocketRequestOptions): Promise<SocketResponse> {
  let url = options.url
  for (let hops = 0; ; hops += 1) {
    const response = await getOnce(url, options)
    const location = response.headers.location
    if (!isRedirect(response.statusCode) || location === undefined) return response
    response.close()
    if (hops === maxRedirects) throw new Error(`more than ${maxRedirects} redirects`)
    url = redirectTarget(location, url)
  }
}

type Phase = 'head' | 'held' | 'body' | 'ended'

interface BodyRead {
  framer: BodyFramer
  receive: (bytes: Uint8Array) => boolean
  resolve: () => void
  reject: (error: Error) => void
}

function getOnce(url: string, options: SocketRequestOptions): Promise<SocketResponse> {
  const target = new URL(url)
  const { signal } = options
  signal.throwIfAborted()
  return new Promise<SocketResponse>((resolveHead, rejectHead) => {
    let phase: Phase = 'head'
    let head = Buffer.alloc(0)
    let held = new Uint8Array(0)
    let framing: BodyFraming = { kind: 'close' }
    let body: BodyRead | undefined
    let failure: Error | undefined
    let closed = false

    const endBody = (): void => {
      phase = 'ended'
      body?.resolve()
      socket.destroy()
    }

    // Returns whether to read on. The receiver and the framer run inside the socket's read
    // callback, where a throw would be uncaught: it ends the connection instead.
    const feed = (bytes: Uint8Array, read: BodyRead): boolean => {
      let wanted = true
      try {
        read.framer.push(bytes, (data) => {
          // The receiver may have closed the connection (an abort) while taking earlier data.
          if (socket.destroyed || !read.receive(data)) wanted = false
        })
      } catch (error) {
        socket.destroy(asError(error))
        return false
      }
      if (read.framer.complete) {
        endBody()
        return false
      }
      return wanted
    }

    const takeHead = (bytes: Uint8Array): boolean => {
      head = Buffer.concat([head, bytes])
      for (;;) {
        const end = head.indexOf(headEnd)
        if (end === -1) {
          if (head.length > maxHeadBytes) socket.destroy(new Error('response head over 64 KiB'))
          return head.length <= maxHeadBytes
        }
        let parsed: ResponseHead
        try {
          parsed = parseResponseHead(head.subarray(0, end).toString('latin1'))
          framing = hasBody(options.method, parsed.statusCode)
            ? bodyFraming(parsed)
            : { kind: 'length', bytes: 0 }
        } catch (error) {
          socket.destroy(asError(error))
          return false
        }
        head = head.subarray(end + headEnd.length)
        // 1xx answers are interim: the real one follows on the same connection.
        if (parsed.statusCode >= 100 && parsed.statusCode < 200) continue
        held = head
        phase = 'held'
        resolveHead({ ...parsed, url, framing, readBody, resume, close })
        return false
      }
    }

    const onread: OnReadOpts = {
      buffer: Buffer.allocUnsafe(readBufferBytes),
      callback(bytesRead, buffer) {
        const bytes = buffer.subarray(0, bytesRead)
        if (phase === 'body' && body !== undefined) return feed(bytes, body)
        if (phase === 'head') return takeHead(bytes)
        return false
      },
    }

    const readBody = (receive: (bytes: Uint8Array) => boolean): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        if (phase !== 'held') {
          reject(failure ?? new Error('the body was read already or the connection is closed'))
          return
        }
        const read: BodyRead = { framer: createBodyFramer(framing), receive, resolve, reject }
        body = read
        phase = 'body'
        const first = held
        held = new Uint8Array(0)
        if (feed(first, read)) resume()
        if (closed) settleBody(read)
      })

    // The connection is gone: the body is complete only if it was to run until the close.
    const settleBody = (read: BodyRead): void => {
      if (phase !== 'body') return
      if (failure === undefined && framing.kind === 'close') {
        endBody()
        return
      }
      phase = 'ended'
      read.reject(failure ?? new Error('connection closed before the end of the body'))
    }

    const resume = (): void => {
      if (phase === 'body' && !socket.destroyed) socket.resume()
    }

    const close = (error?: Error): void => {
      socket.destroy(error)
    }

    const socket = openSocket(target, onread, options.tls)
    socket.write(requestText(options.method, target))
    socket.setTimeout(options.idleTimeoutMs, () => {
      socket.destroy(timeoutError(options.idleTimeoutMs))
    })
    const onAbort = (): void => {
      socket.destroy(asError(signal.reason))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.on('error', (error) => {
      failure ??= error
    })
    socket.on('close', () => {
      closed = true
      signal.removeEventListener('abort', onAbort)
      if (phase === 'head') rejectHead(failure ?? new Error('connection closed before a response'))
      if (body !== undefined) settleBody(body)
    })
  })
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

// RFC 9110 §6.4.1: no body after HEAD, nor with 204 or 304, whatever the headers say.
function hasBody(method: SocketRequestOptions['method'], statusCode: number): boolean {
  return method !== 'HEAD' && statusCode !== 204 && statusCode !== 304
}

function requestText(method: SocketRequestOptions['method'], target: URL): string {
  const path = `${target.pathname}${target.search}`
  const lines = [`${method} ${path} HTTP/1.1`, `host: ${target.host}`]
  for (const [name, value] of Object.entries(requestHeaders)) lines.push(`${name}: ${value}`)
  lines.push('connection: close', '', '')
  return lines.join('\r\n')
}

function timeoutError(idleTimeoutMs: number): Error {
  const error = new Error(`no data for ${idleTimeoutMs} ms`)
  error.name = 'TimeoutError'
  return error
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}
