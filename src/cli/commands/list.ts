import { exitCodes } from '../errors.js'
import { formatTable, type Column } from '../output/table.js'
import type { Command } from './command.js'
import { fetchVmList, type ListedNode, type ListedVm } from './vm-list.js'

const percent = (fraction: number): string => `${Math.round(fraction * 100)}%`
const gb = (mb: number): string => `${(mb / 1024).toFixed(1)}G`

const vmColumns: Column<ListedVm>[] = [
  { title: 'VMID', value: (vm) => String(vm.vmid), align: 'right' },
  { title: 'NAME', value: (vm) => vm.name },
  {
    title: 'STATE',
    value: (vm) =>
      vm.installing !== undefined ? 'installing' : vm.running ? 'running' : 'stopped',
    paint: (vm, text, style) =>
      style.paint(vm.installing !== undefined ? 'cyan' : vm.running ? 'green' : 'dim', text),
  },
  { title: 'NODE', value: (vm) => vm.node },
  // every address, the first IPv4 first (the `ip` field), then the rest
  { title: 'IP', value: (vm) => addressesOf(vm).join(' ') || '-' },
  { title: 'NETWORK', value: (vm) => vm.network ?? '-' },
  { title: 'OS', value: (vm) => vm.os },
  { title: 'CPU', value: (vm) => String(vm.cpu), align: 'right' },
  { title: 'MEMORY', value: (vm) => `${vm.memory} MB`, align: 'right' },
  { title: 'USED', value: (vm) => (vm.running ? `${vm.memory_used} MB` : '-'), align: 'right' },
  { title: 'DISK', value: (vm) => `${vm.disk} GB`, align: 'right' },
  {
    title: '',
    value: (vm) => notes(vm).join('; '),
    paint: (_vm, text, style) => style.paint('yellow', text),
  },
]

/** The VM's addresses as the list gives them (an older service sends `ip` alone). */
function addressesOf(vm: ListedVm): string[] {
  const all = vm.addresses ?? []
  return vm.ip === undefined ? all : [vm.ip, ...all.filter((address) => address !== vm.ip)]
}

/** What the last column says: an install at work, changes waiting for a restart, protection. */
function notes(vm: ListedVm): string[] {
  const said: string[] = []
  if (vm.installing !== undefined)
    said.push(`install ${vm.installing.job_id.slice(0, 8)}: ${vm.installing.stage}`)
  const pending = Object.entries(vm.pending ?? {})
  if (pending.length > 0)
    said.push(
      `pending ${pending.map(([key, value]) => `${key}=${value}`).join(' ')} (applies at next restart)`,
    )
  if (vm.protected === true) said.push('protected')
  return said
}

const nodeColumns: Column<ListedNode>[] = [
  { title: 'NODE', value: (node) => node.node },
  {
    title: 'STATE',
    value: (node) => (node.running ? 'online' : 'offline'),
    paint: (node, text, style) => style.paint(node.running ? 'green' : 'red', text),
  },
  { title: 'CPU', value: (node) => `${percent(node.cpu)} of ${node.max_cpu}`, align: 'right' },
  {
    title: 'MEMORY',
    value: (node) => `${percent(node.memory)} of ${gb(node.max_memory)}`,
    align: 'right',
  },
  { title: 'DISK', value: (node) => percent(node.disk), align: 'right' },
]

/** `list`: the VMs as a table, then the nodes. */
export const listCommand: Command = {
  name: 'list',
  usage: 'pve-qemu list [--json]',
  summary: 'the VMs of the cluster and the load of each node',
  async run({ client, out, json, signal }) {
    const listing = await fetchVmList(client(), signal)
    if (json) {
      out.json(listing)
      return exitCodes.ok
    }
    const vms = [...listing.vms].sort((a, b) => a.vmid - b.vmid)
    if (vms.length === 0) out.line('no VMs')
    else for (const line of formatTable(vms, vmColumns, out.style)) out.line(line)
    out.line()
    for (const line of formatTable(listing.nodes, nodeColumns, out.style)) out.line(line)
    return exitCodes.ok
  },
}
