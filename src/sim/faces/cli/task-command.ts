import { followInForeground } from './foreground-task.js'
import { dieExit, printApiError } from './print-errors.js'
import { callApi, printHandlerLines, type ToolIo } from './tool-io.js'

export interface TaskCommandOptions {
  usage: string
  /** exit status when the task fails: 255 for most qm commands, 0 for `qm disk resize` */
  failureExit: number
}

/**
 * A qm command that wraps a task-starting API method: pre-fork failures die (255), the task runs
 * in the foreground, and its failure exits with `failureExit` (pve.md §0.3). A method answering
 * null (resize on PVE 7) ran synchronously and succeeded.
 */
export async function runTaskCommand(
  io: ToolIo,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  params: Record<string, string>,
  options: TaskCommandOptions,
): Promise<number> {
  const response = await callApi(io, method, path, params)
  printHandlerLines(io, response)
  if (response.status !== 200) return printApiError(io, response, options.usage)
  if (typeof response.data !== 'string') return 0
  const outcome = await followInForeground(io, response.data)
  return outcome.ok ? 0 : options.failureExit
}

export { dieExit }
