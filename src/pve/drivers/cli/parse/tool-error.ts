import { PveError, pveErrorFromMessage } from '../../../errors.js'

/** What a failed qm/pvesh/pvesm printed on stderr, taken apart (pve.md §0.2). */
export interface ToolError {
  /** The error: the 400 block's `name: msg` lines joined by `; `, or the die message. */
  message: string
  /** Per-parameter messages of a `400 Parameter verification failed.` block. */
  parameters: Record<string, string>
  /** 400 for a parameter or argument error, otherwise undefined. */
  status?: number
  /** The usage synopsis a 400 block ends with. */
  usage: string[]
}

const parameterLine = /^([A-Za-z0-9_.[\]-]+): (.*)$/
const unknownOption = /^Unknown option: (.+)$/
// Only 400 blocks have this shape; other numbers (595 from a proxy) belong to the message.
const statusLine = /^(400) (.*)$/

/**
 * Takes apart a tool's stderr: a `400 Parameter verification failed.` block (message, `name: msg`
 * lines, usage), a getopt `Unknown option: x` followed by `400 unable to parse option`,
 * `ERROR: unknown command`, or a plain die message (the last line that is not lock-wait or
 * warning noise).
 */
export function parseToolError(stderr: string): ToolError {
  const lines = stderr.split('\n').map((line) => line.replace(/\r$/, ''))
  const start = lines.findIndex((line) => statusLine.test(line))
  if (start !== -1) return parseStatusBlock(lines, start)
  const unknown = lines.find((line) => line.startsWith('ERROR: '))
  if (unknown !== undefined) {
    return { message: unknown.slice('ERROR: '.length), parameters: {}, usage: usageOf(lines) }
  }
  const meaningful = lines.map(stripLockWait).filter(isMeaningful)
  return { message: meaningful.at(-1) ?? '', parameters: {}, usage: [] }
}

function parseStatusBlock(lines: string[], start: number): ToolError {
  const head = statusLine.exec(lines[start] ?? '')
  const status = Number(head?.[1])
  const text = head?.[2] ?? ''
  const parameters: Record<string, string> = {}
  for (const line of lines.slice(0, start)) {
    const option = unknownOption.exec(line)
    if (option?.[1] !== undefined) parameters[option[1]] = 'unknown option'
  }
  let index = start + 1
  for (; index < lines.length; index++) {
    const line = lines[index] ?? ''
    // a validator's message ends in its own newline, leaving a blank line after it
    if (line.trim() === '') continue
    const match = parameterLine.exec(line)
    if (match?.[1] === undefined || match[2] === undefined) break
    parameters[match[1]] = match[2]
  }
  const usage = lines.slice(index).filter((line) => line.trim() !== '')
  const detail = Object.entries(parameters)
    .map(([name, message]) => `${name}: ${message}`)
    .join('; ')
  const message = text === 'Parameter verification failed.' && detail !== '' ? detail : text
  const withDetail = message === text && detail !== '' ? `${text} (${detail})` : message
  return { message: withDetail, parameters, status, usage }
}

function usageOf(lines: string[]): string[] {
  const index = lines.findIndex((line) => line.startsWith('USAGE: '))
  return index === -1 ? [] : lines.slice(index).filter((line) => line.trim() !== '')
}

/** `trying to acquire lock...` may share its line with what follows it. */
function stripLockWait(line: string): string {
  const prefix = 'trying to acquire lock...'
  if (!line.startsWith(prefix)) return line
  const rest = line.slice(prefix.length).trim()
  return rest === 'OK' ? '' : rest
}

function isMeaningful(line: string): boolean {
  const text = line.trim()
  return text !== '' && !text.startsWith('WARN: ') && !/^Task finished with \d+ warning/.test(text)
}

/** The PveError for a tool's failure: classified by its message or its parameters. */
export function toolErrorToPveError(error: ToolError, fallback: string): PveError {
  const message = error.message === '' ? fallback : error.message
  if (error.status === 400 && Object.keys(error.parameters).length === 0) {
    return new PveError('invalid_parameter', message)
  }
  return pveErrorFromMessage(message, { parameters: error.parameters })
}
