import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { SSE_CLOSE, formatSseComment, formatSseEvent } from './format-sse-event.js'
import type { SseEvent } from './format-sse-event.js'

/** The timer functions the heartbeat uses; injectable so tests can drive them. */
export interface SseTimers {
  /** Runs `callback` once after `ms`; the returned function cancels it. */
  schedule: (callback: () => void, ms: number) => () => void
}

/** Options of {@link openSseStream}. */
export interface SseStreamOptions {
  /** Stops the stream (without the close frame) when it aborts, e.g. on client disconnect. */
  signal?: AbortSignal | undefined
  /** Idle time before a `: ping` comment is sent; 0 turns heartbeats off. Default 15 000. */
  heartbeatMs?: number | undefined
  /** Extra response headers, such as `x-job-id`; they may override the standard ones. */
  headers?: OutgoingHttpHeaders | undefined
  /** Timer functions; default the global `setTimeout`, looked up when the stream opens. */
  timers?: SseTimers | undefined
}

/** Writes events to one open SSE response. */
export interface SseWriter {
  /** Frames and writes one event; returns false (and writes nothing) once the stream is closed. */
  send(event: SseEvent): boolean
  /** Writes the close frame and ends the response; does nothing when already closed. */
  close(): void
  /** True once the stream ended: closed by us, by the client, or by the signal. */
  readonly closed: boolean
}

/** The default idle time between heartbeats; well under the usual 60 s proxy read timeout. */
export const DEFAULT_HEARTBEAT_MS = 15_000

const streamHeaders: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // nginx buffers proxied responses unless told not to, which would hold events back.
  'x-accel-buffering': 'no',
}

const ping = formatSseComment('ping')

/**
 * Starts an SSE response on a raw `node:http` response: writes status 200 and the stream
 * headers at once, then lets the caller send events, each written as soon as it is framed.
 * While nothing is sent for `heartbeatMs`, a `: ping` comment keeps proxies from closing the
 * connection. When the client disconnects or `signal` aborts, the writer stops quietly: later
 * `send`s are no-ops, so a job can keep running without its audience. An abort ends the
 * response without the close frame, so an EventSource reconnects and resumes by id.
 *
 * @example
 * const sse = openSseStream(reply.raw, { signal: request.signal, headers: { 'x-job-id': id } })
 * sse.send({ id: 1, data: { step: 'preparation > checking VMID', status: 'processing' } })
 * sse.close()
 */
export function openSseStream(response: ServerResponse, options: SseStreamOptions = {}): SseWriter {
  const { signal } = options
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  if (!Number.isFinite(heartbeatMs) || heartbeatMs < 0) {
    throw new RangeError(`heartbeatMs must be a number of at least 0, got ${heartbeatMs}`)
  }
  const timers = options.timers ?? globalTimers()

  let closed = false
  let cancelHeartbeat: (() => void) | undefined

  const stop = (): void => {
    if (closed) return
    closed = true
    cancelHeartbeat?.()
    cancelHeartbeat = undefined
    signal?.removeEventListener('abort', onAbort)
    response.off('close', stop)
  }
  const onAbort = (): void => {
    stop()
    if (!response.writableEnded) response.end()
  }
  const write = (chunk: string): boolean => {
    if (closed || response.destroyed || response.writableEnded) {
      stop()
      return false
    }
    response.write(chunk)
    armHeartbeat()
    return true
  }
  const armHeartbeat = (): void => {
    if (heartbeatMs === 0) return
    cancelHeartbeat?.()
    cancelHeartbeat = timers.schedule(() => {
      cancelHeartbeat = undefined
      write(ping)
    }, heartbeatMs)
  }

  response.writeHead(200, { ...streamHeaders, ...options.headers })
  response.flushHeaders()
  // An error on the response means the peer is gone; the listener stays after close so a late
  // error cannot surface as an unhandled 'error' event.
  response.on('error', stop)
  response.on('close', stop)
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted === true || response.destroyed) onAbort()
  else armHeartbeat()

  return {
    send(event: SseEvent): boolean {
      const frame = formatSseEvent(event)
      return write(frame)
    },
    close(): void {
      if (closed) return
      const writable = !response.destroyed && !response.writableEnded
      stop()
      if (writable) response.end(SSE_CLOSE)
    },
    get closed(): boolean {
      return closed
    },
  }
}

function globalTimers(): SseTimers {
  return {
    schedule(callback, ms) {
      const timer = setTimeout(callback, ms)
      return () => {
        clearTimeout(timer)
      }
    },
  }
}
