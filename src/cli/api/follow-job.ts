import { setTimeout as delay } from 'node:timers/promises'
import { CliError } from '../errors.js'
import type { ApiClient, RequestOptions } from './client.js'
import { parseJobEvent, type JobEvent } from './job-event.js'
import { readSseMessages } from './sse-reader.js'

export interface JobStream {
  /** the job's id, once the service named it (`X-Job-Id`, or the first event's `job_id`) */
  readonly jobId: string | undefined
  /** every event until the stream's `event: close`; reconnects by `Last-Event-ID` when cut */
  readonly events: AsyncGenerator<JobEvent>
}

export interface FollowOptions {
  signal: AbortSignal
  /** resume after this event id (the job's own events route only) */
  lastEventId?: string | undefined
  /** reconnection attempts after a cut before giving up; default 5 */
  retries?: number
}

/** The events route of a job, which replays and then follows. */
export function jobEventsPath(jobId: string): string {
  return `/api/jobs/${encodeURIComponent(jobId)}/events`
}

/**
 * Opens an SSE endpoint (`POST /api/vm/install`, `GET /api/jobs/:id/events`, ...) and reads its
 * events. A validation error arrives as an ordinary HTTP error before any stream. When the
 * connection drops before `event: close`, it reattaches to the job's events route with the
 * last id seen, so no event is lost or repeated.
 */
export async function followJob(
  client: ApiClient,
  path: string,
  request: RequestOptions,
  options: FollowOptions,
): Promise<JobStream> {
  const { signal } = options
  const open = (at: string, init: RequestOptions, lastId: string | undefined): Promise<Response> =>
    client.request(at, {
      ...init,
      signal,
      headers: {
        accept: 'text/event-stream',
        ...init.headers,
        ...(lastId === undefined ? {} : { 'last-event-id': lastId }),
      },
    })
  let response = await open(path, request, options.lastEventId)
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    throw new CliError('CLI_BAD_ANSWER', `${path} did not answer an event stream`)
  }
  const state: { jobId: string | undefined } = {
    jobId: response.headers.get('x-job-id') ?? undefined,
  }
  const retries = options.retries ?? 5

  async function* events(): AsyncGenerator<JobEvent> {
    let lastId = options.lastEventId
    let attempt = 0
    for (;;) {
      try {
        for await (const message of readSseMessages(response)) {
          if (message.event === 'close') return
          const event = parseJobEvent(message.data, message.id)
          state.jobId ??= event.job_id
          lastId = message.id ?? lastId
          attempt = 0
          yield event
        }
      } catch (error) {
        if (signal.aborted) throw error
      }
      const jobId = state.jobId
      if (jobId === undefined || attempt >= retries) {
        throw new CliError(
          'CLI_STREAM_CUT',
          `the event stream ended before the job did${jobId === undefined ? '' : `; it goes on: pve-qemu attach ${jobId}`}`,
        )
      }
      attempt += 1
      await delay(250 * 2 ** attempt, undefined, { signal })
      response = await open(jobEventsPath(jobId), { method: 'GET' }, lastId)
    }
  }

  return {
    get jobId() {
      return state.jobId
    },
    events: events(),
  }
}
