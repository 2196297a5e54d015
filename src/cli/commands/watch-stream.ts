import { followJob, type JobStream } from '../api/follow-job.js'
import type { RequestOptions } from '../api/client.js'
import { exitCodes, type ExitCode } from '../errors.js'
import { readFields } from '../api/read-json.js'
import { printCancelled, printFailure } from '../progress/summary.js'
import type { StageBoard } from '../progress/stage-board.js'
import { watchJob } from '../progress/watch-job.js'
import type { CommandContext } from './command.js'

export interface StreamOutcome {
  /** how the job went; undefined when the user detached before its end */
  board: StageBoard | undefined
  jobId: string | undefined
  exitCode: ExitCode
}

export interface StreamOptions {
  lastEventId?: string
  /** more lines for the Ctrl-C message (how to get an install's password back) */
  detachHints?: (jobId: string) => string[]
}

/**
 * Runs a streamed operation (install, start, reboot, migrate, attach) and shows it. On Ctrl-C
 * it detaches and says how to attach again; the job goes on in the service.
 */
export async function runStreamed(
  context: CommandContext,
  path: string,
  request: RequestOptions,
  options: StreamOptions = {},
): Promise<StreamOutcome> {
  const { out, signal } = context
  let stream: JobStream | undefined
  try {
    stream = await followJob(context.client(), path, request, {
      signal,
      ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
    })
    const board = await watchJob(stream, out, { json: context.json })
    const { jobId } = stream
    if (board.failure !== undefined) {
      // a cancelled job ends with an error event too: the job's state tells them apart
      const state =
        jobId === undefined ? undefined : await jobState(context, jobId).catch(() => undefined)
      if (state === 'cancelled') {
        if (!context.json) printCancelled(board, out, jobId)
        return { board, jobId, exitCode: exitCodes.cancelled }
      }
      if (!context.json) printFailure(board, out, jobId)
      return { board, jobId, exitCode: exitCodes.failed }
    }
    return { board, jobId, exitCode: exitCodes.ok }
  } catch (error) {
    if (!signal.aborted) throw error
    const jobId = stream?.jobId
    if (jobId === undefined) out.note('interrupted')
    else {
      out.note(`detached from job ${jobId}; it goes on in the service: pve-qemu attach ${jobId}`)
      for (const line of options.detachHints?.(jobId) ?? []) out.note(line)
    }
    return { board: undefined, jobId, exitCode: exitCodes.interrupted }
  }
}

async function jobState(context: CommandContext, jobId: string): Promise<string> {
  const reply = readFields(
    await context.client().getJson(`/api/jobs/${encodeURIComponent(jobId)}`),
    'job',
  )
  return reply.object('job').string('state')
}
