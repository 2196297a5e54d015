import { PveError } from '../../../errors.js'

export interface PveshOutput {
  /** What the handler or a foreground task printed before the result. */
  lines: string[]
  /** The decoded result; `null` when pvesh printed nothing (a call whose return type is null). */
  data: unknown
}

/**
 * Reads `pvesh ... --output-format json` stdout (pve.md §1.2): lines the API handler or a task
 * printed come first, the result is the last line, one line of JSON.
 *
 * @example
 * parsePveshJson('generating cloud-init ISO\n"UPID:pve:...:qmstart:100:root@pam:"\n').data
 * // => 'UPID:pve:...:qmstart:100:root@pam:'
 */
export function parsePveshJson(stdout: string): PveshOutput {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '')
  const last = lines.pop()
  if (last === undefined) return { lines: [], data: null }
  try {
    return { lines, data: JSON.parse(last) as unknown }
  } catch (error) {
    throw new PveError('failed', `pvesh printed no JSON result: ${last.slice(0, 200)}`, {
      cause: error,
    })
  }
}

/** `/cluster/nextid` is documented as a string but may come as a number (pve.md §1.7). */
export function parseNextId(data: unknown): number {
  const id = typeof data === 'number' ? data : typeof data === 'string' ? Number(data) : NaN
  if (!Number.isInteger(id) || id < 100) {
    throw new PveError('failed', `unexpected answer from /cluster/nextid: ${JSON.stringify(data)}`)
  }
  return id
}
