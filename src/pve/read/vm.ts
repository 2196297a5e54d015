import type { VmConfig, VmPowerState, VmStatus } from '../cluster.js'
import {
  asObject,
  optionalNumber,
  optionalString,
  requiredNumber,
  requiredString,
} from './json-values.js'

/** Reads `GET /nodes/{node}/qemu/{vmid}/status/current`. */
export function readVmStatus(node: string, data: unknown): VmStatus {
  const entry = asObject(data, 'VM status')
  const status = requiredString(entry, 'status') === 'running' ? 'running' : 'stopped'
  const vm: VmStatus = {
    vmid: requiredNumber(entry, 'vmid'),
    node,
    status,
    qmpstatus: (optionalString(entry, 'qmpstatus') ?? status) as VmPowerState,
    name: optionalString(entry, 'name') ?? '',
    cpus: optionalNumber(entry, 'cpus') ?? 0,
    maxmem: optionalNumber(entry, 'maxmem') ?? 0,
    mem: optionalNumber(entry, 'mem') ?? 0,
    maxdisk: optionalNumber(entry, 'maxdisk') ?? 0,
    uptime: optionalNumber(entry, 'uptime') ?? 0,
  }
  const lock = optionalString(entry, 'lock')
  if (lock !== undefined) vm.lock = lock
  return vm
}

/** Reads `GET /nodes/{node}/qemu/{vmid}/config`: every value as text, `digest` dropped. */
export function readVmConfig(data: unknown): VmConfig {
  const entry = asObject(data, 'VM config')
  const config: VmConfig = {}
  for (const key of Object.keys(entry)) {
    if (key === 'digest') continue
    const value = optionalString(entry, key)
    if (value !== undefined) config[key] = value
  }
  return config
}
