import type { Pacer } from './pacer.js'
import { vmMetrics } from './state/metrics.js'
import type { ClusterState, SimVm } from './state/types.js'
import { timings } from './timings.js'

/** The RRD part of a `/cluster/resources` VM entry, as pvestatd last pushed it. */
export interface VmRrdEntry {
  name: string
  status: string
  uptime: number
  template: number
  maxcpu: number
  cpu: number
  maxmem: number
  mem: number
  memhost: number
  maxdisk: number
  disk: number
  netin: number
  netout: number
  diskread: number
  diskwrite: number
}

/** What pvestatd would report for a VM right now. */
export function rrdEntry(vm: SimVm, now: number): VmRrdEntry {
  const m = vmMetrics(vm, now)
  return {
    name: vm.config.name ?? `VM ${vm.vmid}`,
    status: vm.power,
    uptime: m.uptime,
    template: vm.config.template === '1' ? 1 : 0,
    maxcpu: m.cpus,
    cpu: m.cpu,
    maxmem: m.maxmem,
    mem: m.mem,
    memhost: m.mem,
    maxdisk: m.maxdisk,
    disk: 0,
    netin: m.netin,
    netout: m.netout,
    diskread: m.diskread,
    diskwrite: m.diskwrite,
  }
}

/**
 * pvestatd: every 10 s (× speed) it snapshots each VM's status into the data
 * `/cluster/resources` serves, so a new VM reads `status: unknown` and a status change shows
 * up only at the next cycle (pve.md §1.4). At speed 0 every read is fresh.
 */
export class Statd {
  readonly #cache = new Map<number, VmRrdEntry>()
  readonly #state: ClusterState
  readonly #pacer: Pacer
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(state: ClusterState, pacer: Pacer) {
    this.#state = state
    this.#pacer = pacer
  }

  /** Starts the cycle (after a first refresh). */
  start(): void {
    this.refresh()
    if (this.#pacer.speed === 0) return
    this.#timer = setInterval(() => {
      this.refresh()
    }, timings.statdCycleMs * this.#pacer.speed)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** One pvestatd cycle. */
  refresh(): void {
    const now = Date.now()
    this.#cache.clear()
    for (const vm of this.#state.vms.values()) this.#cache.set(vm.vmid, rrdEntry(vm, now))
  }

  /** The RRD data of a VM, or undefined while pvestatd has not seen it. */
  entry(vm: SimVm): VmRrdEntry | undefined {
    if (this.#pacer.speed === 0) return rrdEntry(vm, Date.now())
    return this.#cache.get(vm.vmid)
  }

  /** Forgets a destroyed VM, so that a new VM with its ID starts unknown. */
  forget(vmid: number): void {
    this.#cache.delete(vmid)
  }
}
