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

/**
 * Follows a Proxmox task to its end (pve.md §1.12): polls its status, passes new log lines to
 * `onLine` as they appear, and throws a PveTaskError (classified, with the last log lines) when
 * `exitstatus` is neither `OK` nor `WARNINGS: N`.
 */
export async function waitForTask(options: WaitForTaskOptions): Promise<void> {
  const base = `/nodes/${options.node}/tasks/${encodeURIComponent(options.upid)}`
  let linesSeen = 0
  const lastLines: string[] = []

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
      if (closingLine.test(text)) continue
      lastLines.push(text)
      if (lastLines.length > 20) lastLines.shift()
      options.onLine?.(text)
    }
  }

  for (;;) {
    const status = asObject(await options.read(`${base}/status`), 'task status')
    await readNewLines()
    if (optionalString(status, 'status') === 'stopped') {
      const exitstatus = optionalString(status, 'exitstatus') ?? 'unexpected status'
      if (exitstatus === 'OK' || exitstatus.startsWith('WARNINGS')) return
      throw new PveTaskError(options.upid, exitstatus, lastLines)
    }
    await sleep(options.pollMs, options.signal)
  }
}
