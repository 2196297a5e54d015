import type { SimResponse } from '../../../api/types.js'
import { followInForeground } from '../foreground-task.js'
import { canonicalJson, prettyJson } from '../format/json-output.js'
import { getopt, isGetoptFailure, type OptionKind, type OptionTable } from '../getopt.js'
import { checkArgCount, dieExit, printApiError, printGetoptFailure } from '../print-errors.js'
import { callApi, printHandlerLines, type ToolIo } from '../tool-io.js'

const methods = { get: 'GET', set: 'PUT', create: 'POST', delete: 'DELETE' } as const
type PveshCommand = keyof typeof methods

const formatOptions: Record<string, OptionKind> = {
  'output-format': 'string',
  noborder: 'boolean',
  noheader: 'boolean',
  quiet: 'boolean',
  'human-readable': 'boolean',
}

/** pvesh takes the API method's parameters as options; without its schema, every other name is
 * passed through, and one given without a value means 1. */
const pveshOptions: OptionTable = {
  kind: (name) => formatOptions[name] ?? 'optional',
  names: () => Object.keys(formatOptions),
  acceptsAny: true,
}

/**
 * `pvesh get|set|create|delete <api_path> [--param value ...] [--output-format ...]`
 * (pve.md §1): calls the API method and prints the bare data; a task-starting call runs its
 * task in the foreground first and prints the UPID even when the task failed (exit 0).
 */
export async function runPvesh(io: ToolIo, argv: readonly string[]): Promise<number> {
  let args = [...argv]
  let quietResult = false
  while (args[0] === '--noproxy' || args[0] === '--nooutput') {
    if (args[0] === '--nooutput') quietResult = true
    args = args.slice(1)
  }
  const command = expandCommand(args[0])
  if (command === undefined) {
    io.stderr(
      args[0] === undefined
        ? 'ERROR: no command specified'
        : `ERROR: unknown command 'pvesh ${args[0]}'`,
    )
    io.stderr('USAGE: pvesh <COMMAND> [ARGS] [OPTIONS]')
    for (const name of Object.keys(methods))
      io.stderr(`       pvesh ${name} <api_path> [OPTIONS] [FORMAT_OPTIONS]`)
    return dieExit
  }
  const usage = `pvesh ${command} <api_path> [OPTIONS] [FORMAT_OPTIONS]`
  const parsed = getopt(args.slice(1), pveshOptions)
  if (isGetoptFailure(parsed)) return printGetoptFailure(io, parsed, usage)
  const countError = checkArgCount(io, parsed.positional, 1, usage)
  if (countError !== undefined) return countError
  const path = `/${(parsed.positional[0] ?? '').replace(/^\/+/, '')}`
  const params: Record<string, string> = {}
  for (const [name, value] of Object.entries(parsed.options)) {
    if (formatOptions[name] === undefined) params[name] = value
  }
  const response = await callApi(io, methods[command], path, params)
  printHandlerLines(io, response)
  if (response.status === 501) {
    io.stderr(`No '${command}' handler defined for '${path}'`)
    return 1
  }
  if (response.status !== 200) return printApiError(io, response, usage)
  if (command !== 'get' && isUpid(response.data)) await followInForeground(io, response.data)
  if (!quietResult) printResult(io, response, parsed.options['output-format'] ?? 'text')
  return 0
}

function expandCommand(word: string | undefined): PveshCommand | undefined {
  if (word === undefined) return undefined
  const matches = Object.keys(methods).filter((name): name is PveshCommand => name.startsWith(word))
  return matches.length === 1 ? matches[0] : undefined
}

function isUpid(data: unknown): data is string {
  return typeof data === 'string' && data.startsWith('UPID:')
}

function printResult(io: ToolIo, response: SimResponse, format: string): void {
  const data = response.data
  if (data === null || data === undefined) return
  if (format === 'json') io.stdout(canonicalJson(data))
  else if (format === 'json-pretty') io.stdout(prettyJson(data))
  else if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean')
    io.stdout(String(data))
  else if (Array.isArray(data) && data.length === 0) return
  // the text tables are for people (pve.md §1.2: "don't parse this"); pretty JSON serves them
  else io.stdout(prettyJson(data))
}
