import { sleep } from '../../../lib/sleep.js'
import type { TaskLineListener } from '../../cluster.js'
import { asArray, asObject, optionalNumber, optionalString } from '../../read/index.js'
import { PveTaskError } from './errors.js'
import type { PveApiParams } from './transport.js'

export interface WaitForTaskOptions {
  upid: string
  node: string
  pollMs: number
  /** GET a path below `/api2/json`, returning `data` or throwing a PveError */
  read: (path: string, params?: PveApiParams) => Promise<unknown>
  onLine?: TaskLineListener
  signal?: AbortSignal
}

/** The task log's own closing lines, which are ours to interpret, not to pass on. */
const closingLine = /^TASK (OK|ERROR: .*|WARNINGS: \d+)$/

/** Every this many polls the status is read too, for a worker that died without a closing line. */
const statusEvery = 4
/** Polls at half the interval before a task counts as long, and its polls slow to `pollMs`. */
const quickPolls = 20

/**
 * Follows a Proxmox task to its end (pve.md §1.12): polls its log, passing new
 * lines to `onLine` as they appear, and throws a PveTaskError (classified, with the last log
 * lines) when the task ends neither `OK` nor `WARNINGS: N`. The log's closing line (`TASK OK`,
 * `TASK ERROR: …`, `TASK WARNINGS: N`) is what Proxmox itself reads the exit status from
 * (pve-common `PVE::Tools::upid_read_status` reads the log's last line), so seeing it ends the
 * wait; the status is read too on every fourth poll, so a worker killed before it wrote that line
 * (`exitstatus` `unexpected status`) is noticed as well. One request per poll where status and
 * log took two: a short task (its first 20 polls, at half the interval) is noticed in half the
 * time for about the requests of before; a long one is polled every `pollMs`, with fewer.
 */
export async function waitForTask(options: WaitForTaskOptions): Promise<void> {
  const base = `/nodes/${options.node}/tasks/${encodeURIComponent(options.upid)}`
  let linesSeen = 0
  const lastLines: string[] = []
  let closing: string | undefined

  const readNewLines = async (): Promise<void> => {
    const data = await options.read(`${base}/log`, { start: linesSeen, limit: 0 })
    for (const item of asArray(data, 'task log')) {
      const entry = asObject(item, 'task log line')
      const n = optionalNumber(entry, 'n') ?? 0
      const text = optionalString(entry, 't') ?? ''
      if (n <= linesSeen) continue
      linesSeen = n
      if (n === 1 && text === 'no content') {
        linesSeen = 0
        continue
      }
      const closed = closingLine.exec(text)
      if (closed !== null) {
        closing = closed[1]
        continue
      }
      lastLines.push(text)
      if (lastLines.length > 20) lastLines.shift()
      options.onLine?.(text)
    }
  }
  const end = (exitstatus: string): void => {
    if (exitstatus === 'OK' || exitstatus.startsWith('WARNINGS')) return
    throw new PveTaskError(options.upid, exitstatus, lastLines)
  }

  for (let poll = 0; ; poll += 1) {
    await readNewLines()
    if (closing !== undefined) {
      end(closing.replace(/^ERROR: /, ''))
      return
    }
    if (poll % statusEvery === statusEvery - 1) {
      const status = asObject(await options.read(`${base}/status`), 'task status')
      if (optionalString(status, 'status') === 'stopped') {
        // the lines written before it stopped (a closing line among them, or none at all)
        await readNewLines()
        end(optionalString(status, 'exitstatus') ?? 'unexpected status')
        return
      }
    }
    await sleep(poll < quickPolls ? options.pollMs / 2 : options.pollMs, options.signal)
  }
}
