import { describeError } from '../../../../errors.js'
import type { CliCommand } from '../command-tree.js'
import { formatQmList, type QmListEntry } from '../format/tables.js'
import { optionTable } from '../getopt.js'
import { dieExit, printApiError, printParamBlock } from '../print-errors.js'
import { callApi, qemuPath } from '../tool-io.js'
import { isRecord } from './qm-vm-commands.js'

export const qmList: CliCommand = {
  kind: 'command',
  usage: 'qm list [OPTIONS]',
  positional: [],
  options: optionTable({ full: 'boolean' }),
  async run(io) {
    const response = await callApi(io, 'GET', qemuPath(io))
    if (response.status !== 200) return printApiError(io, response, this.usage)
    const entries = (Array.isArray(response.data) ? response.data : [])
      .filter(isRecord)
      .map(listEntry)
    for (const line of formatQmList(entries)) io.stdout(line)
    return 0
  },
}

function listEntry(vm: Record<string, unknown>): QmListEntry {
  const number = (key: string): number => Number(vm[key] ?? 0) || 0
  const vmid = number('vmid')
  const name = typeof vm.name === 'string' ? vm.name : `VM ${vmid}`
  const status = typeof vm.status === 'string' ? vm.status : 'unknown'
  return {
    vmid,
    name,
    status,
    maxmem: number('maxmem'),
    maxdisk: number('maxdisk'),
    pid: number('pid'),
  }
}

/** `qm disk import` is no API call and starts no task (pve.md §2.4): the core does the work. */
export const qmDiskImport: CliCommand = {
  kind: 'command',
  usage: 'qm disk import <vmid> <source> <storage> [OPTIONS]',
  positional: ['vmid', 'source', 'storage'],
  options: optionTable({ format: 'string', 'target-disk': 'string' }),
  async run(io, args, options) {
    const vmid = args.vmid ?? ''
    if (!/^[1-9][0-9]{2,8}$/.test(vmid)) {
      printParamBlock(
        io,
        'Parameter verification failed.',
        { vmid: 'invalid format - value does not look like a valid VM ID\n' },
        this.usage,
      )
      return dieExit
    }
    if (options.format !== undefined && !['raw', 'qcow2', 'vmdk'].includes(options.format)) {
      printParamBlock(
        io,
        'Parameter verification failed.',
        {
          format: `value '${options.format}' does not have a value in the enumeration 'raw, qcow2, vmdk'`,
        },
        this.usage,
      )
      return dieExit
    }
    try {
      await io.sim.importDisk({
        node: io.node,
        vmid: Number(vmid),
        source: args.source ?? '',
        storage: args.storage ?? '',
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options['target-disk'] === undefined ? {} : { targetDisk: options['target-disk'] }),
        onLine: (line, stream) => {
          if (stream === 'stderr') io.stderr(line)
          else io.stdout(line)
        },
        signal: io.signal,
      })
      return 0
    } catch (error) {
      io.stderr(describeError(error).replace(/\n$/, ''))
      return dieExit
    }
  },
}
