import type { CliCommand, CommandTree } from '../command-tree.js'
import {
  formatPvesmList,
  formatPvesmStatus,
  type PvesmListEntry,
  type PvesmStatusEntry,
} from '../format/tables.js'
import { optionTable } from '../getopt.js'
import { printApiError } from '../print-errors.js'
import { apiPath, callApi, type ToolIo } from '../tool-io.js'
import { isRecord } from '../qm/qm-vm-commands.js'

const records = (data: unknown): Record<string, unknown>[] =>
  Array.isArray(data) ? data.filter(isRecord) : []
const num = (value: unknown): number => Number(value ?? 0) || 0
const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''

/** pve-storage 9.0.14 (PVE 9.1) added units to the header (pve.md §3.1). */
async function headerHasUnits(io: ToolIo): Promise<boolean> {
  const response = await callApi(io, 'GET', apiPath('nodes', io.node, 'status'))
  const version = isRecord(response.data) ? text(response.data.pveversion) : ''
  const match = /^pve-manager\/(\d+)\.(\d+)/.exec(version)
  const major = Number(match?.[1] ?? 0)
  const minor = Number(match?.[2] ?? 0)
  return major > 9 || (major === 9 && minor >= 1)
}

const pvesmStatus: CliCommand = {
  kind: 'command',
  usage: 'pvesm status [OPTIONS]',
  positional: [],
  options: optionTable({
    content: 'string',
    storage: 'string',
    enabled: 'boolean',
    target: 'string',
    format: 'boolean',
  }),
  async run(io, _args, options) {
    const response = await callApi(io, 'GET', apiPath('nodes', io.node, 'storage'), options)
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const entries: PvesmStatusEntry[] = records(response.data).map((entry) => ({
      storage: text(entry.storage),
      type: text(entry.type),
      active: num(entry.active) === 1,
      enabled: entry.enabled === undefined || num(entry.enabled) === 1,
      total: num(entry.total),
      used: num(entry.used),
      avail: num(entry.avail),
    }))
    for (const line of formatPvesmStatus(entries, await headerHasUnits(io))) io.stdout(line)
    return 0
  },
}

const pvesmList: CliCommand = {
  kind: 'command',
  usage: 'pvesm list <storage> [OPTIONS]',
  positional: ['storage'],
  options: optionTable({ content: 'string', vmid: 'string' }),
  async run(io, args, options) {
    const path = apiPath('nodes', io.node, 'storage', args.storage ?? '', 'content')
    const response = await callApi(io, 'GET', path, options)
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const entries: PvesmListEntry[] = records(response.data).map((entry) => ({
      volid: text(entry.volid),
      format: text(entry.format),
      content: text(entry.content),
      size: num(entry.size),
      ...(entry.vmid === undefined ? {} : { vmid: num(entry.vmid) }),
    }))
    for (const line of formatPvesmList(entries)) io.stdout(line)
    return 0
  },
}

export const pvesmCommands: CommandTree = { status: pvesmStatus, list: pvesmList }
