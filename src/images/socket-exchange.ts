import type { OnReadOpts, Socket } from 'node:net'

import { createBodyFramer, type BodyFramer } from './body-framer.js'
import {
  bodyFraming,
  parseResponseHead,
  type BodyFraming,
  type ResponseHead,
} from './response-head.js'

/** What takes a response body. */
export interface BodyReceiver {
  /**
   * A piece of the body, to be taken during the call: its memory is reused after. Returns false
   * to stop reading until `resume`.
   */
  take(bytes: Uint8Array): boolean
  /**
   * Memory the next read may go straight into, for a body that is not chunked; `take` then gets
   * views of it. Undefined to read into the socket's own buffer.
   */
  space?(): Uint8Array | undefined
}

/** A response whose body has not been read yet; the socket waits until `readBody`. */
export interface ExchangeResponse extends ResponseHead {
  framing: BodyFraming
  /**
   * Reads the body into `receiver`. Resolves at the end of the body; rejects when the
   * connection breaks first, times out, or is closed with an error.
   */
  readBody(receiver: BodyReceiver): Promise<void>
  /** reads on after `take` returned false */
  resume(): void
  /** ends the connection; with an error, a `readBody` under way rejects with it */
  close(error?: Error): void
}

export interface ExchangeOptions {
  /** opens the connection with the given read settings, and sends the request */
  connect: (onread: OnReadOpts) => Socket
  /** false for HEAD: the answer has no body, whatever its headers say */
  expectBody: boolean
  idleTimeoutMs: number
  signal: AbortSignal
}

// Measured here: reads into the socket's own buffer cost least when it is small enough to stay
// in the CPU's cache; reads straight into the receiver's (colder) memory cost least when larger.
const ownReadBytes = 32 * 1024
const directReadBytes = 128 * 1024
const maxHeadBytes = 64 * 1024
const headEnd = Buffer.from('\r\n\r\n')

interface BodyRead {
  framer: BodyFramer
  receiver: BodyReceiver
  resolve: () => void
  reject: (error: Error) => void
}

interface Exchange {
  expectBody: boolean
  phase: 'head' | 'held' | 'body' | 'ended'
  /** the head so far, then the body bytes that came with it */
  pending: Buffer
  framing: BodyFraming
  body: BodyRead | undefined
  failure: Error | undefined
  closed: boolean
}

/**
 * One request and its response on a fresh socket that reads into a reused buffer (`onread`),
 * or straight into the receiver's memory: nothing is allocated per read.
 */
export function exchange(options: ExchangeOptions): Promise<ExchangeResponse> {
  const { signal } = options
  signal.throwIfAborted()
  return new Promise((resolveHead, rejectHead) => {
    const readBuffer = Buffer.allocUnsafe(ownReadBytes)
    const state: Exchange = {
      expectBody: options.expectBody,
      phase: 'head',
      pending: Buffer.alloc(0),
      framing: { kind: 'close' },
      body: undefined,
      failure: undefined,
      closed: false,
    }
    const socket = options.connect({
      buffer: () => bodySpace(state) ?? readBuffer,
      // Reads start once connected, after `socket` and `answer` below exist.
      callback: (bytesRead, buffer) => onRead(state, socket, buffer.subarray(0, bytesRead), answer),
    })
    const answer = (head: ResponseHead): void => {
      resolveHead({
        ...head,
        framing: state.framing,
        readBody: (receiver) => readBody(state, socket, receiver),
        resume: () => {
          if (state.phase === 'body' && !socket.destroyed) socket.resume()
        },
        close: (error) => socket.destroy(error),
      })
    }
    const onAbort = (): void => {
      socket.destroy(asError(signal.reason))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.setTimeout(options.idleTimeoutMs, () => {
      socket.destroy(timeoutError(options.idleTimeoutMs))
    })
    socket.on('error', (error) => {
      state.failure ??= error
    })
    socket.on('close', () => {
      state.closed = true
      signal.removeEventListener('abort', onAbort)
      if (state.phase === 'head') {
        rejectHead(state.failure ?? new Error('connection closed before a response'))
      }
      settleBody(state)
    })
  })
}

// Returns whether to read on. Everything here runs inside the socket's read callback, where a
// throw would be uncaught: an error ends the connection instead.
function onRead(
  state: Exchange,
  socket: Socket,
  bytes: Uint8Array,
  answer: (head: ResponseHead) => void,
): boolean {
  try {
    if (state.phase === 'body') return feed(state, socket, bytes)
    if (state.phase === 'head') return takeHead(state, bytes, answer)
  } catch (error) {
    socket.destroy(asError(error))
  }
  return false
}

function takeHead(
  state: Exchange,
  bytes: Uint8Array,
  answer: (head: ResponseHead) => void,
): boolean {
  state.pending = Buffer.concat([state.pending, bytes])
  for (;;) {
    const end = state.pending.indexOf(headEnd)
    if (end === -1) {
      if (state.pending.length > maxHeadBytes) throw new Error('response head over 64 KiB')
      return true
    }
    const head = parseResponseHead(state.pending.subarray(0, end).toString('latin1'))
    state.pending = state.pending.subarray(end + headEnd.length)
    // 1xx answers are interim: the real one follows on the same connection.
    if (head.statusCode >= 100 && head.statusCode < 200) continue
    // RFC 9110 §6.4.1: no body after HEAD, nor with 204 or 304, whatever the headers say.
    const empty = !state.expectBody || head.statusCode === 204 || head.statusCode === 304
    state.framing = empty ? { kind: 'length', bytes: 0 } : bodyFraming(head)
    state.phase = 'held'
    answer(head)
    return false
  }
}

function readBody(state: Exchange, socket: Socket, receiver: BodyReceiver): Promise<void> {
  return new Promise((resolve, reject) => {
    if (state.phase !== 'held') {
      reject(state.failure ?? new Error('the body was read already or the connection is closed'))
      return
    }
    state.body = { framer: createBodyFramer(state.framing), receiver, resolve, reject }
    state.phase = 'body'
    const first = state.pending
    state.pending = Buffer.alloc(0)
    let more = false
    try {
      more = feed(state, socket, first)
    } catch (error) {
      socket.destroy(asError(error))
    }
    if (more && !socket.destroyed) socket.resume()
    if (state.closed) settleBody(state)
  })
}

function feed(state: Exchange, socket: Socket, bytes: Uint8Array): boolean {
  const { body } = state
  if (body === undefined) return false
  let more = true
  body.framer.push(bytes, (data) => {
    // The receiver may have ended the connection (an abort) while taking earlier data.
    if (socket.destroyed || !body.receiver.take(data)) more = false
  })
  if (!body.framer.complete) return more
  state.phase = 'ended'
  body.resolve()
  socket.destroy()
  return false
}

// Chunk framing would land between the data, so a chunked body is read into the socket's own
// buffer and copied; other bodies go straight into the receiver's memory when it offers some.
function bodySpace(state: Exchange): Uint8Array | undefined {
  if (state.phase !== 'body' || state.framing.kind === 'chunked') return undefined
  const space = state.body?.receiver.space?.()
  return space === undefined || space.length === 0 ? undefined : space.subarray(0, directReadBytes)
}

// The connection is gone: the body is complete only if it was to run until the close.
function settleBody(state: Exchange): void {
  const { body } = state
  if (state.phase !== 'body' || body === undefined) return
  state.phase = 'ended'
  if (state.failure === undefined && state.framing.kind === 'close') {
    body.resolve()
    return
  }
  body.reject(state.failure ?? new Error('connection closed before the end of the body'))
}

function timeoutError(idleTimeoutMs: number): Error {
  const error = new Error(`no data for ${idleTimeoutMs} ms`)
  error.name = 'TimeoutError'
  return error
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value))
}
