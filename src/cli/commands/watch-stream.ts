import { followJob, type JobStream } from '../api/follow-job.js'
import type { RequestOptions } from '../api/client.js'
import { exitCodes, type ExitCode } from '../errors.js'
import { printFailure } from '../progress/summary.js'
import type { StageBoard } from '../progress/stage-board.js'
import { watchJob } from '../progress/watch-job.js'
import type { CommandContext } from './command.js'

export interface StreamOutcome {
  /** how the job went; undefined when the user detached before its end */
  board: StageBoard | undefined
  jobId: string | undefined
  exitCode: ExitCode
}

/**
 * Runs a streamed operation (install, start, reboot, migrate, attach) and shows it. On Ctrl-C
 * it detaches and says how to attach again; the job goes on in the service.
 */
export async function runStreamed(
  context: CommandContext,
  path: string,
  request: RequestOptions,
  options: { lastEventId?: string } = {},
): Promise<StreamOutcome> {
  const { out, signal } = context
  let stream: JobStream | undefined
  try {
    stream = await followJob(context.client(), path, request, {
      signal,
      ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
    })
    const board = await watchJob(stream, out, { json: context.json })
    if (board.failure !== undefined) {
      if (!context.json) printFailure(board, out, stream.jobId)
      return { board, jobId: stream.jobId, exitCode: exitCodes.failed }
    }
    return { board, jobId: stream.jobId, exitCode: exitCodes.ok }
  } catch (error) {
    if (!signal.aborted) throw error
    const jobId = stream?.jobId
    out.note(
      jobId === undefined
        ? 'interrupted'
        : `detached from job ${jobId}; it goes on in the service: pve-qemu attach ${jobId}`,
    )
    return { board: undefined, jobId, exitCode: exitCodes.interrupted }
  }
}
