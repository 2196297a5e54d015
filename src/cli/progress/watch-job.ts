import type { JobStream } from '../api/follow-job.js'
import type { Output } from '../output/output.js'
import { createLiveRenderer } from './live-renderer.js'
import { createPlainRenderer } from './plain-renderer.js'
import type { ProgressRenderer } from './renderer.js'
import { createStageBoard, type StageBoard } from './stage-board.js'

export interface WatchOptions {
  /** print each event as one JSON line instead of drawing stages */
  json: boolean
  now?: () => number
}

/**
 * Reads a job's stream to its end and shows it: live stages on a terminal, appended lines
 * elsewhere, JSON lines with `--json`. Returns the board, which tells how the job ended.
 */
export async function watchJob(
  stream: JobStream,
  out: Output,
  options: WatchOptions,
): Promise<StageBoard> {
  const board = createStageBoard(options.now)
  const renderer: ProgressRenderer | undefined = options.json
    ? undefined
    : out.interactive
      ? createLiveRenderer({
          terminal: out.stdout,
          style: out.style,
          ...(options.now === undefined ? {} : { now: options.now }),
        })
      : createPlainRenderer({ terminal: out.stdout, style: out.style })
  try {
    for await (const event of stream.events) {
      const changes = board.apply(event)
      if (renderer === undefined) out.json(event)
      else renderer.render(changes)
    }
  } finally {
    renderer?.finish()
  }
  return board
}
