import { randomBytes } from 'node:crypto'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createTcpServer, type Server, type Socket } from 'node:net'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  socketRequest,
  type SocketRequestOptions,
  type SocketResponse,
} from '../../src/images/socket-request.js'
import { createSelfSignedCertificate } from '../../src/sim/faces/rest/self-signed-certificate.js'
import { startTestFileServer, type TestFileServer } from './test-file-server.js'

let server: TestFileServer
const closers: (() => Promise<void>)[] = []

beforeEach(async () => {
  server = await startTestFileServer()
})

afterEach(async () => {
  await server.close()
  for (const close of closers.splice(0)) await close()
})

const never = new AbortController().signal

function get(url: string, overrides: Partial<SocketRequestOptions> = {}): Promise<SocketResponse> {
  return socketRequest({ method: 'GET', url, signal: never, idleTimeoutMs: 5000, ...overrides })
}

/** Reads the whole body, as a caller that always wants more does. */
async function bodyOf(response: SocketResponse): Promise<Buffer> {
  const pieces: Buffer[] = []
  await response.readBody({
    take(bytes) {
      pieces.push(Buffer.from(bytes))
      return true
    },
  })
  return Buffer.concat(pieces)
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    if (error instanceof Error) return error
  }
  throw new Error('expected a rejection')
}

/** Reads into `memory` as a receiver offering it does; counts the pieces read in place. */
async function readInto(response: SocketResponse, memory: Uint8Array): Promise<number> {
  let filled = 0
  let inPlace = 0
  await response.readBody({
    take(bytes) {
      if (bytes.buffer === memory.buffer && bytes.byteOffset === filled) inPlace += 1
      else memory.set(bytes, filled)
      filled += bytes.length
      return true
    },
    space: () => memory.subarray(filled),
  })
  expect(filled).toBe(memory.length)
  return inPlace
}

/** A TCP server that answers each connection with `answer`, for what node:http would not send. */
async function startRawServer(answer: (socket: Socket, request: string) => void): Promise<string> {
  const raw: Server = createTcpServer((socket) => {
    socket.once('data', (data: Buffer) => {
      answer(socket, data.toString('latin1'))
    })
  })
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise((resolve) => {
        raw.close(() => {
          resolve()
        })
      }),
  )
  const address = raw.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return `http://127.0.0.1:${address.port}/`
}

describe('socketRequest', () => {
  it('reads a body framed by Content-Length', async () => {
    const body = randomBytes(300 * 1024)
    server.routes.set('/file', { kind: 'file', body })

    const response = await get(`${server.baseUrl}/file`)

    expect(response).toMatchObject({
      statusCode: 200,
      statusText: 'OK',
      url: `${server.baseUrl}/file`,
    })
    expect(response.framing).toEqual({ kind: 'length', bytes: body.length })
    expect((await bodyOf(response)).equals(body)).toBe(true)
  })

  it('reads a chunked body', async () => {
    const body = randomBytes(200 * 1024)
    server.routes.set('/file', { kind: 'file', body, omitLength: true })

    const response = await get(`${server.baseUrl}/file`)

    expect(response.framing).toEqual({ kind: 'chunked' })
    expect((await bodyOf(response)).equals(body)).toBe(true)
  })

  it('reads a body that runs until the server closes the connection', async () => {
    const body = randomBytes(100 * 1024)
    const url = await startRawServer((socket) => {
      socket.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nServer: old\r\n\r\n'), body]))
    })

    const response = await get(url)

    expect(response.framing).toEqual({ kind: 'close' })
    expect((await bodyOf(response)).equals(body)).toBe(true)
  })

  it('reads a body straight into the memory the receiver offers', async () => {
    const body = randomBytes(300 * 1024)
    server.routes.set('/file', { kind: 'file', body })
    const memory = new Uint8Array(body.length)

    const inPlace = await readInto(await get(`${server.baseUrl}/file`), memory)

    expect(inPlace).toBeGreaterThan(0)
    expect(Buffer.from(memory).equals(body)).toBe(true)
  })

  it('reads a chunked body into its own buffer, since chunk sizes would land in between', async () => {
    const body = randomBytes(300 * 1024)
    server.routes.set('/file', { kind: 'file', body, omitLength: true })
    const memory = new Uint8Array(body.length)

    const inPlace = await readInto(await get(`${server.baseUrl}/file`), memory)

    expect(inPlace).toBe(0)
    expect(Buffer.from(memory).equals(body)).toBe(true)
  })

  it('sends GET with the path, host, identity encoding and connection close', async () => {
    let request = ''
    const url = await startRawServer((socket, received) => {
      request = received
      socket.end('HTTP/1.1 204 No Content\r\n\r\n')
    })
    const target = new URL('a/b.img?x=1', url)

    const response = await get(target.href)
    response.close()

    expect(request.split('\r\n')).toEqual([
      'GET /a/b.img?x=1 HTTP/1.1',
      `host: ${target.host}`,
      'accept-encoding: identity',
      'user-agent: pve-qemu image store',
      'connection: close',
      '',
      '',
    ])
  })

  it('answers HEAD without a body, whatever Content-Length says', async () => {
    server.routes.set('/file', { kind: 'file', body: randomBytes(4096) })

    const response = await socketRequest({
      method: 'HEAD',
      url: `${server.baseUrl}/file`,
      signal: never,
      idleTimeoutMs: 5000,
    })

    expect(response.headers['content-length']).toBe('4096')
    expect(await bodyOf(response)).toHaveLength(0)
    expect(server.count('HEAD', '/file')).toBe(1)
  })

  it('skips interim 1xx answers', async () => {
    const url = await startRawServer((socket) => {
      socket.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi')
    })

    const response = await get(url)

    expect(response.statusCode).toBe(200)
    expect((await bodyOf(response)).toString()).toBe('hi')
  })

  it('follows redirects, relative ones too, and says where it ended', async () => {
    server.routes.set('/a', { kind: 'redirect', location: '/b', status: 301 })
    server.routes.set('/b', { kind: 'redirect', location: `${server.baseUrl}/c`, status: 307 })
    server.routes.set('/c', { kind: 'file', body: Buffer.from('there') })

    const response = await get(`${server.baseUrl}/a`)

    expect(response.url).toBe(`${server.baseUrl}/c`)
    expect((await bodyOf(response)).toString()).toBe('there')
  })

  it('gives up after 20 redirects', async () => {
    server.routes.set('/loop', { kind: 'redirect', location: '/loop' })

    expect((await failureOf(get(`${server.baseUrl}/loop`))).message).toBe('more than 20 redirects')
    expect(server.count('GET', '/loop')).toBe(21)
  })

  it('follows no redirect to a scheme other than http and https', async () => {
    server.routes.set('/a', { kind: 'redirect', location: 'ftp://mirror.example/x' })

    expect((await failureOf(get(`${server.baseUrl}/a`))).message).toBe('redirect to a ftp: URL')
  })

  it('gives other statuses as they are, with the reason phrase', async () => {
    server.routes.set('/gone', { kind: 'status', status: 410 })

    const response = await get(`${server.baseUrl}/gone`)

    expect(response).toMatchObject({ statusCode: 410, statusText: 'Gone' })
    response.close()
  })

  it('stops reading while the receiver wants no more, and goes on at resume', async () => {
    const body = randomBytes(256 * 1024)
    let open = (): void => undefined
    const gate = new Promise<void>((resolve) => (open = resolve))
    server.routes.set('/file', { kind: 'file', body, pauseAt: 16 * 1024, gate })
    const response = await get(`${server.baseUrl}/file`)
    const pieces: Buffer[] = []
    let paused = false
    let calledWhilePaused = false
    let pause = (): void => undefined
    const pausedOnce = new Promise<void>((resolve) => (pause = resolve))

    const reading = response.readBody({
      take(bytes) {
        if (paused) calledWhilePaused = true
        pieces.push(Buffer.from(bytes))
        if (pieces.length > 1) return true
        paused = true
        pause()
        return false
      },
    })
    await pausedOnce
    open()
    // The rest of the body reaches the socket; a reader that ignored the pause would take it.
    for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve))
    expect(calledWhilePaused).toBe(false)
    paused = false
    response.resume()
    await reading

    expect(Buffer.concat(pieces).equals(body)).toBe(true)
  })

  it('fails a body the server cuts short', async () => {
    server.routes.set('/file', { kind: 'file', body: randomBytes(64 * 1024), truncateAt: 1000 })

    const response = await get(`${server.baseUrl}/file`)

    expect((await failureOf(bodyOf(response))).message).toBe(
      'connection closed before the end of the body',
    )
  })

  it('fails a chunked body the server cuts short', async () => {
    const body = randomBytes(64 * 1024)
    server.routes.set('/file', { kind: 'file', body, omitLength: true, truncateAt: 1000 })

    const response = await get(`${server.baseUrl}/file`)

    expect((await failureOf(bodyOf(response))).message).toBe(
      'connection closed before the end of the body',
    )
  })

  it('fails on an answer that is not HTTP/1.x, naming what came', async () => {
    const url = await startRawServer((socket) => {
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n')
    })

    expect((await failureOf(get(url))).message).toBe(
      'not an HTTP/1.x status line: "SSH-2.0-OpenSSH_9.6"',
    )
  })

  it('fails on a head larger than 64 KiB', async () => {
    const url = await startRawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70 * 1024)}`)
    })

    expect((await failureOf(get(url))).message).toBe('response head over 64 KiB')
  })

  it('fails on a malformed chunked body', async () => {
    const url = await startRawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')
    })
    const response = await get(url)

    expect((await failureOf(bodyOf(response))).message).toBe(
      'chunked body has a bad size line "zz"',
    )
  })

  it('fails when the server closes before answering', async () => {
    const url = await startRawServer((socket) => {
      socket.end()
    })

    expect((await failureOf(get(url))).message).toBe('connection closed before a response')
  })

  it('fails with the socket error when nothing listens', async () => {
    const down = await startTestFileServer()
    await down.close()

    const error = await failureOf(get(`${down.baseUrl}/x`))

    expect(error).toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('fails with a TimeoutError when the server sends nothing for the idle time', async () => {
    const url = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
    })
    const response = await get(url, { idleTimeoutMs: 50 })

    const error = await failureOf(bodyOf(response))

    expect(error).toMatchObject({ name: 'TimeoutError', message: 'no data for 50 ms' })
  })

  it('stops when the signal aborts, with its reason', async () => {
    server.routes.set('/file', {
      kind: 'file',
      body: randomBytes(64 * 1024),
      pauseAt: 1000,
      gate: new Promise(() => undefined),
    })
    const controller = new AbortController()
    const response = await get(`${server.baseUrl}/file`, { signal: controller.signal })

    const reading = response.readBody({
      take() {
        controller.abort(new Error('caller left'))
        return true
      },
    })

    expect((await failureOf(reading)).message).toBe('caller left')
  })

  it('refuses at once when the signal has already aborted', async () => {
    const error = await failureOf(get(`${server.baseUrl}/x`, { signal: AbortSignal.abort() }))

    expect(error.name).toBe('AbortError')
    expect(server.requests).toEqual([])
  })

  it('ends the connection with the error a receiver throws', async () => {
    server.routes.set('/file', { kind: 'file', body: randomBytes(64 * 1024) })
    const response = await get(`${server.baseUrl}/file`)

    const reading = response.readBody({
      take() {
        throw new Error('receiver bug')
      },
    })

    expect((await failureOf(reading)).message).toBe('receiver bug')
  })

  it('reads a body only once', async () => {
    server.routes.set('/file', { kind: 'file', body: Buffer.from('once') })
    const response = await get(`${server.baseUrl}/file`)
    await bodyOf(response)

    expect((await failureOf(bodyOf(response))).message).toBe(
      'the body was read already or the connection is closed',
    )
  })
})

describe('socketRequest over TLS', () => {
  const certificate = createSelfSignedCertificate({
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
  })

  async function startHttpsServer(body: Buffer): Promise<number> {
    const https = createHttpsServer(
      { cert: certificate.cert, key: certificate.key },
      (_request, response) => {
        response.writeHead(200, { 'content-length': body.length }).end(body)
      },
    )
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve))
    closers.push(
      () =>
        new Promise((resolve) => {
          https.closeAllConnections()
          https.close(() => {
            resolve()
          })
        }),
    )
    const address = https.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    return address.port
  }

  it('reads a body over https from a server whose certificate it trusts', async () => {
    const body = randomBytes(500 * 1024)
    const port = await startHttpsServer(body)

    const response = await get(`https://localhost:${port}/image`, {
      tls: { ca: certificate.cert },
    })

    expect((await bodyOf(response)).equals(body)).toBe(true)
  })

  it('reads a body over https straight into the memory the receiver offers', async () => {
    const body = randomBytes(500 * 1024)
    const port = await startHttpsServer(body)
    const memory = new Uint8Array(body.length)

    const response = await get(`https://localhost:${port}/image`, {
      tls: { ca: certificate.cert },
    })
    const inPlace = await readInto(response, memory)

    expect(inPlace).toBeGreaterThan(0)
    expect(Buffer.from(memory).equals(body)).toBe(true)
  })

  it('refuses a certificate no trusted CA signed', async () => {
    const port = await startHttpsServer(Buffer.from('secret'))

    const error = await failureOf(get(`https://localhost:${port}/image`))

    expect(error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
  })
})
