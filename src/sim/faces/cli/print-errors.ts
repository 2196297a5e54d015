import type { SimResponse } from '../../api/types.js'
import type { GetoptFailure } from './getopt.js'
import type { ToolIo } from './tool-io.js'

/** Exit status of a Perl `die` at the top of a PVE CLI (pve.md §0.2). */
export const dieExit = 255

/**
 * Prints a failed API answer as the CLI does: a 400 as the `Parameter verification failed.`
 * block (message, `name: msg` lines, usage), anything else as the bare die message. Returns 255.
 */
export function printApiError(io: ToolIo, response: SimResponse, usage: string): number {
  if (response.status === 400) {
    printParamBlock(
      io,
      response.message ?? 'Parameter verification failed.',
      response.errors,
      usage,
    )
  } else {
    io.stderr(response.message ?? `${response.status} error`)
  }
  return dieExit
}

/** `400 <message>`, one `name: msg` line per error, then the usage line. A message that ends in
 * a newline (a format validator's) leaves a blank line after it, as Perl prints it. */
export function printParamBlock(
  io: ToolIo,
  message: string,
  errors: Record<string, string> | undefined,
  usage: string,
): void {
  io.stderr(`400 ${message.replace(/\n$/, '')}`)
  for (const [name, text] of Object.entries(errors ?? {})) {
    const body = `${name}: ${text}`
    for (const line of body.replace(/\n$/, '').split('\n')) io.stderr(line)
    if (body.endsWith('\n')) io.stderr('')
  }
  io.stderr(usage)
}

/** Getopt's warnings, then `400 unable to parse option` and the usage. */
export function printGetoptFailure(io: ToolIo, failure: GetoptFailure, usage: string): number {
  for (const warning of failure.warnings) io.stderr(warning)
  printParamBlock(io, failure.message, undefined, usage)
  return dieExit
}

/** `400 not enough arguments` / `400 too many arguments`, or undefined when the count fits. */
export function checkArgCount(
  io: ToolIo,
  given: readonly string[],
  expected: number,
  usage: string,
): number | undefined {
  if (given.length === expected) return undefined
  printParamBlock(
    io,
    given.length < expected ? 'not enough arguments' : 'too many arguments',
    undefined,
    usage,
  )
  return dieExit
}
