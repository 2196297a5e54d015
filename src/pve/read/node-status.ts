import type { NodeStatus, NodeStorage } from '../cluster.js'
import {
  asArray,
  asObject,
  optionalNumber,
  optionalString,
  requiredNumber,
  requiredString,
} from './json-values.js'
import { splitList } from './resources.js'

/** Reads `GET /nodes/{node}/status`. */
export function readNodeStatus(node: string, data: unknown): NodeStatus {
  const status = asObject(data, `/nodes/${node}/status`)
  const cpuinfo = asObject(status.cpuinfo, 'cpuinfo')
  const memory = asObject(status.memory, 'memory')
  return {
    node,
    cpuModel: optionalString(cpuinfo, 'model') ?? 'unknown',
    cpuFlags: (optionalString(cpuinfo, 'flags') ?? '').split(/\s+/).filter((f) => f !== ''),
    cpus: requiredNumber(cpuinfo, 'cpus'),
    memoryTotal: requiredNumber(memory, 'total'),
    memoryUsed: requiredNumber(memory, 'used'),
    uptime: optionalNumber(status, 'uptime') ?? 0,
    pveVersion: optionalString(status, 'pveversion') ?? 'unknown',
  }
}

/** Reads `GET /nodes/{node}/storage` (the data behind `pvesm status`). */
export function readNodeStorages(data: unknown): NodeStorage[] {
  return asArray(data, 'storage list').map((item) => {
    const entry = asObject(item, 'storage entry')
    return {
      storage: requiredString(entry, 'storage'),
      type: optionalString(entry, 'type') ?? 'unknown',
      content: splitList(optionalString(entry, 'content') ?? ''),
      active: optionalNumber(entry, 'active') === 1,
      enabled: optionalNumber(entry, 'enabled') !== 0,
      shared: optionalNumber(entry, 'shared') === 1,
      total: optionalNumber(entry, 'total') ?? 0,
      used: optionalNumber(entry, 'used') ?? 0,
      avail: optionalNumber(entry, 'avail') ?? 0,
    }
  })
}
