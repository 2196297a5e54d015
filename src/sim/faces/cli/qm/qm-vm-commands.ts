import { optionTable } from '../getopt.js'
import type { CliCommand } from '../command-tree.js'
import { dieExit, printApiError } from '../print-errors.js'
import { runTaskCommand } from '../task-command.js'
import { callApi, printHandlerLines, qemuPath, type ToolIo } from '../tool-io.js'
import { createOptions, setOptions } from './qm-options.js'
import { readSshKeysFile } from './sshkeys-file.js'

const vmPath = (io: ToolIo, vmid: string): string => qemuPath(io, vmid)

/** Options as API parameters; `--sshkeys <file>` read and encoded. Undefined after an error. */
async function configParams(
  io: ToolIo,
  options: Record<string, string>,
): Promise<Record<string, string> | undefined> {
  const params = { ...options }
  if (params.sshkeys !== undefined) {
    const encoded = await readSshKeysFile(io, params.sshkeys)
    if (encoded === undefined) return undefined
    params.sshkeys = encoded
  }
  return params
}

export const qmCreate: CliCommand = {
  kind: 'command',
  usage: 'qm create <vmid> [OPTIONS]',
  positional: ['vmid'],
  options: createOptions,
  async run(io, args, options) {
    const params = await configParams(io, options)
    if (params === undefined) return dieExit
    return runTaskCommand(
      io,
      'POST',
      qemuPath(io),
      { ...params, vmid: args.vmid ?? '' },
      {
        usage: this.usage,
        failureExit: dieExit,
      },
    )
  },
}

export const qmSet: CliCommand = {
  kind: 'command',
  usage: 'qm set <vmid> [OPTIONS]',
  positional: ['vmid'],
  options: setOptions,
  async run(io, args, options) {
    const params = await configParams(io, options)
    if (params === undefined) return dieExit
    const response = await callApi(io, 'PUT', `${vmPath(io, args.vmid ?? '')}/config`, params)
    printHandlerLines(io, response)
    return response.status === 200 ? 0 : printApiError(io, response, this.usage)
  },
}

export const qmConfig: CliCommand = {
  kind: 'command',
  usage: 'qm config <vmid> [OPTIONS]',
  positional: ['vmid'],
  options: optionTable({ current: 'boolean', snapshot: 'string' }),
  async run(io, args, options) {
    const response = await callApi(io, 'GET', `${vmPath(io, args.vmid ?? '')}/config`, options)
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const config = isRecord(response.data) ? response.data : {}
    for (const key of Object.keys(config).sort()) {
      if (key === 'digest') continue
      io.stdout(`${key}: ${scalarText(config[key])}`)
    }
    return 0
  },
}

/** `qm pending <vmid>`: GuestHelpers' `format_pending`, keys sorted: `cur`, `new`, `del` lines. */
export const qmPending: CliCommand = {
  kind: 'command',
  usage: 'qm pending <vmid>',
  positional: ['vmid'],
  options: optionTable({}),
  async run(io, args) {
    const response = await callApi(io, 'GET', `${vmPath(io, args.vmid ?? '')}/pending`)
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const entries = (Array.isArray(response.data) ? response.data : []).filter(isRecord)
    const sorted = entries.sort((a, b) => scalarText(a.key).localeCompare(scalarText(b.key)))
    for (const entry of sorted) {
      const key = scalarText(entry.key)
      if (key === 'digest') continue
      const value = entry.value === undefined ? undefined : scalarText(entry.value)
      const pending = entry.pending === undefined ? undefined : scalarText(entry.pending)
      if (value !== undefined) {
        if (entry.delete !== undefined && scalarText(entry.delete) !== '0') {
          io.stdout(`del ${key}: ${value}`)
        } else {
          io.stdout(`cur ${key}: ${value}`)
          if (pending !== undefined) io.stdout(`new ${key}: ${pending}`)
        }
      } else if (pending !== undefined) {
        io.stdout(`new ${key}: ${pending}`)
      }
    }
    return 0
  },
}

export const qmStatus: CliCommand = {
  kind: 'command',
  usage: 'qm status <vmid> [OPTIONS]',
  positional: ['vmid'],
  options: optionTable({ verbose: 'boolean' }),
  async run(io, args, options) {
    const response = await callApi(io, 'GET', `${vmPath(io, args.vmid ?? '')}/status/current`)
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const status = isRecord(response.data) ? response.data : {}
    if (options.verbose !== '1') {
      io.stdout(`status: ${scalarText(status.qmpstatus ?? status.status)}`)
      return 0
    }
    printVerbose(io, status, 0)
    return 0
  },
}

/** `qm status --verbose`: sorted `key: value`, nested hashes indented by tabs, no cpu/relcpu. */
function printVerbose(io: ToolIo, data: Record<string, unknown>, depth: number): void {
  for (const key of Object.keys(data).sort()) {
    if (depth === 0 && (key === 'cpu' || key === 'relcpu')) continue
    const value = data[key]
    const indent = '\t'.repeat(depth)
    if (isRecord(value)) {
      io.stdout(`${indent}${key}:`)
      printVerbose(io, value, depth + 1)
    } else {
      io.stdout(`${indent}${key}: ${scalarText(value)}`)
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === undefined || value === null) return ''
  return JSON.stringify(value)
}
