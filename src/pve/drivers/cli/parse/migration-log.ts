import { parseByteSize } from './byte-size.js'

export interface MigrationLine {
  /** `YYYY-MM-DD HH:MM:SS` local time, when the line had one */
  time?: string
  /** the line was logged as an error (`ERROR: ` after the time) */
  error: boolean
  /** the text after the time and the error marker */
  text: string
  /** `migration active, transferred X of Y VM-state, S/s` */
  progress?: { transferred: number; total: number; bytesPerSecond?: number }
  /** set on the closing line of a run */
  outcome?: 'finished' | 'aborted' | 'problems'
}

const prefix = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (.*)$/
const active = /^migration active, transferred (\S+ \S+) of (\S+ \S+) VM-state(?:, (\S+ \S+)\/s)?/

/**
 * Reads one line of `qm migrate` output (pve.md §2.10): the time prefix, the `ERROR: ` marker,
 * VM-state progress and the closing line (`migration finished successfully`, `migration
 * aborted`, `migration finished with problems`).
 */
export function parseMigrationLine(line: string): MigrationLine {
  const timed = prefix.exec(line)
  let text = timed?.[2] ?? line
  const error = text.startsWith('ERROR: ')
  if (error) text = text.slice('ERROR: '.length)
  const result: MigrationLine = { error, text }
  if (timed?.[1] !== undefined) result.time = timed[1]

  const progress = active.exec(text)
  const transferred = progress?.[1] === undefined ? undefined : parseByteSize(progress[1])
  const total = progress?.[2] === undefined ? undefined : parseByteSize(progress[2])
  if (transferred !== undefined && total !== undefined) {
    const speed = progress?.[3] === undefined ? undefined : parseByteSize(progress[3])
    result.progress = {
      transferred,
      total,
      ...(speed === undefined ? {} : { bytesPerSecond: speed }),
    }
  }
  if (text.startsWith('migration finished successfully')) result.outcome = 'finished'
  else if (error && text.startsWith('migration aborted')) result.outcome = 'aborted'
  else if (error && text.startsWith('migration finished with problems')) result.outcome = 'problems'
  return result
}
