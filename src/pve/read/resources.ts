import type {
  ClusterResources,
  NodeState,
  NodeSummary,
  StorageSummary,
  VmPowerState,
  VmSummary,
} from '../cluster.js'
import {
  asArray,
  asObject,
  optionalNumber,
  optionalString,
  requiredNumber,
  requiredString,
  type JsonObject,
} from './json-values.js'

const powerStates = new Set<VmPowerState>([
  'running',
  'stopped',
  'paused',
  'prelaunch',
  'suspended',
  'unknown',
])

/** Reads the data of `GET /cluster/resources` (REST `data` or pvesh JSON) into our types. */
export function readClusterResources(data: unknown): ClusterResources {
  const result: ClusterResources = { vms: [], nodes: [], storages: [] }
  for (const item of asArray(data, '/cluster/resources')) {
    const entry = asObject(item, 'resource entry')
    switch (entry.type) {
      case 'qemu':
        result.vms.push(readVmEntry(entry))
        break
      case 'node':
        result.nodes.push(readNodeEntry(entry))
        break
      case 'storage':
        result.storages.push(readStorageEntry(entry))
        break
      default:
        // lxc, pool, sdn, network: not ours to manage
        break
    }
  }
  return result
}

function readVmEntry(entry: JsonObject): VmSummary {
  const status = optionalString(entry, 'status') ?? 'unknown'
  const vm: VmSummary = {
    vmid: requiredNumber(entry, 'vmid'),
    node: requiredString(entry, 'node'),
    status: powerStates.has(status as VmPowerState) ? (status as VmPowerState) : 'unknown',
  }
  const name = optionalString(entry, 'name')
  if (name !== undefined) vm.name = name
  copyNumber(entry, 'maxcpu', (v) => (vm.maxcpu = v))
  copyNumber(entry, 'cpu', (v) => (vm.cpu = v))
  copyNumber(entry, 'maxmem', (v) => (vm.maxmem = v))
  copyNumber(entry, 'mem', (v) => (vm.mem = v))
  copyNumber(entry, 'maxdisk', (v) => (vm.maxdisk = v))
  copyNumber(entry, 'uptime', (v) => (vm.uptime = v))
  const tags = optionalString(entry, 'tags')
  if (tags !== undefined) vm.tags = splitTags(tags)
  const lock = optionalString(entry, 'lock')
  if (lock !== undefined) vm.lock = lock
  const template = optionalNumber(entry, 'template')
  if (template !== undefined) vm.template = template === 1
  return vm
}

function readNodeEntry(entry: JsonObject): NodeSummary {
  const status = optionalString(entry, 'status')
  const node: NodeSummary = {
    node: requiredString(entry, 'node'),
    status: status === 'online' || status === 'offline' ? (status satisfies NodeState) : 'unknown',
  }
  copyNumber(entry, 'cpu', (v) => (node.cpu = v))
  copyNumber(entry, 'maxcpu', (v) => (node.maxcpu = v))
  copyNumber(entry, 'mem', (v) => (node.mem = v))
  copyNumber(entry, 'maxmem', (v) => (node.maxmem = v))
  copyNumber(entry, 'disk', (v) => (node.disk = v))
  copyNumber(entry, 'maxdisk', (v) => (node.maxdisk = v))
  copyNumber(entry, 'uptime', (v) => (node.uptime = v))
  return node
}

function readStorageEntry(entry: JsonObject): StorageSummary {
  return {
    storage: requiredString(entry, 'storage'),
    node: requiredString(entry, 'node'),
    type: optionalString(entry, 'plugintype') ?? 'unknown',
    status: optionalString(entry, 'status') === 'available' ? 'available' : 'unknown',
    shared: optionalNumber(entry, 'shared') === 1,
    content: splitList(optionalString(entry, 'content') ?? ''),
    disk: optionalNumber(entry, 'disk') ?? 0,
    maxdisk: optionalNumber(entry, 'maxdisk') ?? 0,
  }
}

function copyNumber(entry: JsonObject, key: string, assign: (value: number) => void): void {
  const value = optionalNumber(entry, key)
  if (value !== undefined) assign(value)
}

/** Proxmox joins tags with `;` (and accepts `,` and spaces on input). */
export function splitTags(tags: string): string[] {
  return tags.split(/[;,\s]+/).filter((tag) => tag !== '')
}

export function splitList(list: string): string[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}
