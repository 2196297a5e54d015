import type { SimVm } from './types.js'
import { bootDiskSize, cpuCount, memoryBytes } from './vm-view.js'

/** A stable pseudo-random fraction in [0, 1) for a VM and a salt, so numbers look alive but repeat. */
function jitter(vmid: number, salt: number): number {
  const x = Math.sin(vmid * 12.9898 + salt * 78.233) * 43758.5453
  return x - Math.floor(x)
}

/** Runtime numbers of a VM as `vmstatus` reports them: load, memory, I/O counters, uptime. */
export interface VmMetrics {
  status: 'running' | 'stopped'
  cpus: number
  cpu: number
  maxmem: number
  mem: number
  maxdisk: number
  uptime: number
  netin: number
  netout: number
  diskread: number
  diskwrite: number
}

/** The metrics of a VM at `now`, from its current (not pending) config. */
export function vmMetrics(vm: SimVm, now: number): VmMetrics {
  const running = vm.power === 'running'
  const maxmem = memoryBytes(vm.config)
  const uptime =
    running && vm.startedAt !== undefined ? Math.max(0, Math.floor((now - vm.startedAt) / 1000)) : 0
  const slot = Math.floor(now / 10_000)
  return {
    status: vm.power,
    cpus: cpuCount(vm.config),
    cpu: running ? 0.005 + jitter(vm.vmid, slot) * 0.06 : 0,
    maxmem,
    mem: running ? Math.round(maxmem * (0.3 + jitter(vm.vmid, 7) * 0.3)) : 0,
    maxdisk: bootDiskSize(vm.config),
    uptime,
    netin: running ? uptime * 1830 + 40_000 + vm.vmid : 0,
    netout: running ? uptime * 610 + 9_000 + vm.vmid : 0,
    diskread: running ? uptime * 52_000 + 310_000_000 : 0,
    diskwrite: running ? uptime * 21_000 + 80_000_000 : 0,
  }
}
