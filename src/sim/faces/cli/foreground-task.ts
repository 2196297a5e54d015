import type { ToolIo } from './tool-io.js'

/** What the CLI makes of a task that ended. */
export interface TaskOutcome {
  upid: string
  exitstatus: string
  ok: boolean
}

const closingLine = /^TASK (OK|ERROR: .*|WARNINGS: \d+)$/

/**
 * Runs a task the way a PVE CLI does (pve.md §0.3): it blocks until the task ends, the task's
 * output goes to stdout as it comes, the error text alone goes to stderr, `Task finished with N
 * warning(s)!` goes to stderr, and no `TASK OK` line is printed.
 */
export async function followInForeground(io: ToolIo, upid: string): Promise<TaskOutcome> {
  const exitstatus = await io.sim.followTask(upid, (line) => {
    if (!closingLine.test(line)) io.stdout(line)
  })
  const warnings = /^WARNINGS: (\d+)$/.exec(exitstatus)
  if (exitstatus === 'OK') return { upid, exitstatus, ok: true }
  if (warnings?.[1] !== undefined) {
    io.stderr(`Task finished with ${warnings[1]} warning(s)!`)
    return { upid, exitstatus, ok: true }
  }
  io.stderr(exitstatus)
  return { upid, exitstatus, ok: false }
}
