import type { Cluster, VmSummary } from '../../pve/cluster.js'

export interface VmAddressesOptions {
  /** how long a VM's address is trusted before it is read again; default 10 min */
  ttlMs?: number
  /** config reads at once in the background; default 2 */
  concurrency?: number
  now?: () => number
}

/** Each VM's IP address as its cloud-init `ipconfig0` says, learnt without slowing the list. */
export interface VmAddresses {
  /**
   * The known address of each of these VMs, answered at once from memory. A VM not seen yet (or
   * read more than `ttlMs` ago) is read in the background, so it has its address by a later
   * list; the list itself never waits for one Proxmox read per VM.
   */
  lookup(vms: readonly VmSummary[]): Map<number, string>
  /** Records an address learnt another way (an install's result). */
  remember(vmid: number, ip: string): void
  /** Resolves when no background read is pending (tests, the info route). */
  settled(): Promise<void>
}

interface Known {
  ip: string | undefined
  at: number
}

/**
 * The list's `ip` field. `/cluster/resources` holds no address, and reading every VM's config
 * on every list would cost one Proxmox read per VM (1.4 s each with the cli driver), so the
 * addresses are kept in memory: `ipconfig0` is written when a VM is created and this service
 * never changes it afterwards, so a VM's address only needs reading once. A VMID that leaves
 * the list is forgotten (a VM created again under it is read again), and an address older than
 * `ttlMs` is read again in the background, which catches an edit made outside the service.
 */
export function createVmAddresses(cluster: Cluster, options: VmAddressesOptions = {}): VmAddresses {
  const ttlMs = options.ttlMs ?? 10 * 60_000
  const concurrency = options.concurrency ?? 2
  const now = options.now ?? Date.now
  const known = new Map<number, Known>()
  const queue: VmSummary[] = []
  const queued = new Set<number>()
  let running = 0
  let idle: (() => void)[] = []

  const pump = (): void => {
    while (running < concurrency) {
      const vm = queue.shift()
      if (vm === undefined) break
      running += 1
      void cluster
        .vmConfig(vm.node, vm.vmid)
        .then(
          (config) => known.set(vm.vmid, { ip: addressOf(config.ipconfig0), at: now() }),
          // unreadable now (moved, destroyed): tried again after the ttl, not on every list
          () => known.set(vm.vmid, { ip: undefined, at: now() }),
        )
        .finally(() => {
          running -= 1
          queued.delete(vm.vmid)
          pump()
        })
    }
    if (running === 0 && queue.length === 0) {
      const waiting = idle
      idle = []
      for (const resolve of waiting) resolve()
    }
  }

  return {
    lookup(vms) {
      const listed = new Set(vms.map((vm) => vm.vmid))
      for (const vmid of known.keys()) if (!listed.has(vmid)) known.delete(vmid)
      const found = new Map<number, string>()
      const limit = now() - ttlMs
      for (const vm of vms) {
        const entry = known.get(vm.vmid)
        if (entry?.ip !== undefined) found.set(vm.vmid, entry.ip)
        if ((entry === undefined || entry.at < limit) && !queued.has(vm.vmid)) {
          queued.add(vm.vmid)
          queue.push(vm)
        }
      }
      pump()
      return found
    },
    remember(vmid, ip) {
      known.set(vmid, { ip, at: now() })
    },
    settled() {
      if (running === 0 && queue.length === 0) return Promise.resolve()
      return new Promise((resolve) => idle.push(resolve))
    },
  }
}

/** `ip=10.0.0.105/24,gw=10.0.0.1` → `10.0.0.105`; DHCP or none → undefined. */
export function addressOf(ipconfig: string | undefined): string | undefined {
  if (ipconfig === undefined) return undefined
  for (const part of ipconfig.split(',')) {
    const [key, value] = part.split('=')
    if (key?.trim() !== 'ip' || value === undefined) continue
    const address = value.trim().split('/')[0] ?? ''
    return /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? address : undefined
  }
  return undefined
}
