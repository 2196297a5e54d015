import type { Cluster, ClusterResources, OperationOptions, VmSummary } from './cluster.js'

export interface SharedReadsOptions {
  /** how long a finished read of the resource list is reused */
  ttlMs: number
  /**
   * how long after a change the resource list may still show the VM as it was (pvestatd pushes
   * status every 10 s, pve.md §1.4); meanwhile the VM's entry is read from the VM itself
   */
  staleMs?: number
  now?: () => number
}

/** A change this service made to a VM: where the VM is since, and whether it is gone. */
interface Touched {
  node: string
  at: number
  destroyed: boolean
  /** the VM as read after this change: later lists reuse it (one read per change, not per list) */
  seen?: VmSummary
}

const defaultStaleMs = 12_000

/**
 * Wraps a driver so that concurrent reads of the cluster-wide resource list share one Proxmox
 * call, and a read finished less than `ttlMs` ago is reused (Proxmox's own list is up to 10 s
 * old anyway, pve.md §1.4). Any change made through this wrapper drops the cached list, so the
 * service never reads back its own stale state — and since Proxmox's list itself lags a change
 * by up to one pvestatd cycle, each VM this service changed in the last `staleMs` is read from
 * the VM (`status/current`: one read per changed VM, not per VM) and its entry corrected: a
 * started VM lists as running at once, a destroyed one is gone, a migrated one is on its new
 * node, a created one is there.
 */
export function withSharedReads(cluster: Cluster, options: SharedReadsOptions): Cluster {
  const now = options.now ?? Date.now
  const staleMs = options.staleMs ?? defaultStaleMs
  let inFlight: Promise<ClusterResources> | undefined
  let cached: { at: number; value: ClusterResources } | undefined
  let generation = 0
  const touched = new Map<number, Touched>()

  const invalidate = (): void => {
    generation += 1
    cached = undefined
    inFlight = undefined
  }

  const touch = (vmid: number, node: string, destroyed = false): void => {
    touched.set(vmid, { node, at: now(), destroyed })
  }

  /** A change to one VM: the cached list is dropped before and after, and the VM remembered. */
  const changing =
    <Rest extends unknown[]>(
      call: (node: string, vmid: number, ...rest: Rest) => Promise<void>,
      after?: (node: string, vmid: number, ...rest: Rest) => void,
    ) =>
    async (node: string, vmid: number, ...rest: Rest): Promise<void> => {
      invalidate()
      try {
        await call(node, vmid, ...rest)
      } finally {
        // even a failed call may have changed something (a start that timed out)
        if (after === undefined) touch(vmid, node)
        else after(node, vmid, ...rest)
        invalidate()
      }
    }

  /** The list with the entries of recently changed VMs read from the VMs themselves. */
  async function corrected(list: ClusterResources): Promise<ClusterResources> {
    const limit = now() - staleMs
    const recent: [number, Touched][] = []
    for (const [vmid, change] of touched) {
      if (change.at < limit) touched.delete(vmid)
      else recent.push([vmid, change])
    }
    if (recent.length === 0) return list
    const vms = new Map(list.vms.map((vm) => [vm.vmid, vm]))
    await Promise.all(
      recent.map(async ([vmid, change]) => {
        if (change.destroyed) {
          vms.delete(vmid)
          return
        }
        if (change.seen !== undefined) {
          vms.set(vmid, change.seen)
          return
        }
        try {
          const status = await cluster.vmStatus(change.node, vmid)
          const listed = vms.get(vmid)
          const entry: VmSummary = {
            ...listed,
            vmid,
            node: change.node,
            status: status.status,
            name: status.name,
            maxcpu: status.cpus,
            maxmem: status.maxmem,
            mem: status.mem,
            maxdisk: status.maxdisk,
            uptime: status.uptime,
            ...(status.lock === undefined ? {} : { lock: status.lock }),
          }
          if (status.lock === undefined) delete entry.lock
          vms.set(vmid, entry)
          // unless the VM was changed again meanwhile, this read stands for the rest of the window
          if (touched.get(vmid) === change) change.seen = entry
        } catch {
          // the VM is not where we left it (gone, moved by someone else): the list is the truth
        }
      }),
    )
    return { ...list, vms: [...vms.values()] }
  }

  return {
    ...cluster,
    description: cluster.description,
    resources(readOptions?: OperationOptions): Promise<ClusterResources> {
      if (cached !== undefined && now() - cached.at < options.ttlMs)
        return Promise.resolve(cached.value)
      if (inFlight !== undefined) return inFlight
      const started = generation
      // the shared read must not die with one caller's signal
      const read = cluster
        .resources(readOptions?.onLine === undefined ? {} : { onLine: readOptions.onLine })
        .then(corrected)
      inFlight = read
      read.then(
        (value) => {
          if (generation === started) cached = { at: now(), value }
          if (inFlight === read) inFlight = undefined
        },
        () => {
          if (inFlight === read) inFlight = undefined
        },
      )
      return read
    },
    createVm: changing(cluster.createVm.bind(cluster)),
    updateVm: changing(cluster.updateVm.bind(cluster)),
    resizeDisk: changing(cluster.resizeDisk.bind(cluster)),
    startVm: changing(cluster.startVm.bind(cluster)),
    stopVm: changing(cluster.stopVm.bind(cluster)),
    shutdownVm: changing(cluster.shutdownVm.bind(cluster)),
    rebootVm: changing(cluster.rebootVm.bind(cluster)),
    destroyVm: changing(cluster.destroyVm.bind(cluster), (node, vmid) => touch(vmid, node, true)),
    migrateVm: changing(cluster.migrateVm.bind(cluster), (_node, vmid, target) =>
      touch(vmid, target),
    ),
    cloneVm: changing(cluster.cloneVm.bind(cluster)),
    templateVm: changing(cluster.templateVm.bind(cluster)),
    nodeStatus: cluster.nodeStatus.bind(cluster),
    nodeStorages: cluster.nodeStorages.bind(cluster),
    vmStatus: cluster.vmStatus.bind(cluster),
    vmConfig: cluster.vmConfig.bind(cluster),
    // never cached: a bridge list or a guest's addresses are asked for when they matter
    nodeBridges: cluster.nodeBridges.bind(cluster),
    guestInterfaces: cluster.guestInterfaces.bind(cluster),
  }
}
