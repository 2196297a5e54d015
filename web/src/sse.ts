import { createParser } from 'eventsource-parser'
import { call } from './api.js'
import type { WireEvent } from './stages.js'

export interface StreamCallbacks {
  onJob(jobId: string): void
  onEvent(event: WireEvent): void
}

/**
 * Reads an SSE answer through fetch (EventSource cannot POST or send a token) until
 * `event: close`. When the connection drops first, reattaches to the job's events route with
 * `Last-Event-ID`, so each event is seen once.
 */
export async function streamJob(
  path: string,
  init: RequestInit & { json?: unknown },
  callbacks: StreamCallbacks,
  signal: AbortSignal,
): Promise<void> {
  let jobId: string | undefined
  let lastId: string | undefined
  let request = { path, init }
  for (let attempt = 0; ; attempt += 1) {
    const headers = new Headers(request.init.headers)
    headers.set('accept', 'text/event-stream')
    if (lastId !== undefined) headers.set('last-event-id', lastId)
    const response = await call(request.path, { ...request.init, headers, signal })
    const header = response.headers.get('x-job-id')
    if (header !== null && jobId === undefined) {
      jobId = header
      callbacks.onJob(header)
    }
    const seen = { closed: false }
    const parser = createParser({
      onEvent(message) {
        if (message.event === 'close') {
          seen.closed = true
          return
        }
        if (message.id !== undefined) lastId = message.id
        const event = parseEvent(message.data)
        if (event === undefined) return
        if (event.job_id !== undefined && jobId === undefined) {
          jobId = event.job_id
          callbacks.onJob(event.job_id)
        }
        callbacks.onEvent(event)
      },
    })
    try {
      const reader = response.body?.getReader()
      const decoder = new TextDecoder()
      while (reader !== undefined && !seen.closed) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
      }
    } catch (error) {
      if (signal.aborted) throw error
    }
    if (seen.closed) return
    if (jobId === undefined || attempt >= 5)
      throw new Error('the event stream was cut; the job goes on in the service')
    await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)))
    request = { path: `/api/jobs/${encodeURIComponent(jobId)}/events`, init: { method: 'GET' } }
  }
}

function parseEvent(data: string): WireEvent | undefined {
  try {
    const value: unknown = JSON.parse(data)
    if (typeof value !== 'object' || value === null) return undefined
    if (!('step' in value) || !('status' in value) || !('message' in value)) return undefined
    const { step, status, message } = value
    if (typeof step !== 'string' || typeof message !== 'string') return undefined
    if (status !== 'processing' && status !== 'success' && status !== 'error') return undefined
    const event: WireEvent = { step, status, message }
    if ('vm_id' in value && typeof value.vm_id === 'number') event.vm_id = value.vm_id
    if ('ip' in value && typeof value.ip === 'string') event.ip = value.ip
    if ('job_id' in value && typeof value.job_id === 'string') event.job_id = value.job_id
    if ('stage' in value && typeof value.stage === 'number') event.stage = value.stage
    if ('stages' in value && typeof value.stages === 'number') event.stages = value.stages
    if ('result' in value && typeof value.result === 'object' && value.result !== null) {
      const { result } = value
      if ('ssh' in result && typeof result.ssh === 'string') event.result = { ssh: result.ssh }
    }
    return event
  } catch {
    return undefined
  }
}
