import type { Cluster, ClusterResources, OperationOptions } from './cluster.js'

export interface SharedReadsOptions {
  /** how long a finished read of the resource list is reused */
  ttlMs: number
  now?: () => number
}

/**
 * Wraps a driver so that concurrent reads of the cluster-wide resource list share one Proxmox
 * call, and a read finished less than `ttlMs` ago is reused (Proxmox's own list is up to 10 s
 * old anyway, pve.md §1.4). Any change made through this wrapper drops the cached list, so the
 * service never reads back its own stale state.
 */
export function withSharedReads(cluster: Cluster, options: SharedReadsOptions): Cluster {
  const now = options.now ?? Date.now
  let inFlight: Promise<ClusterResources> | undefined
  let cached: { at: number; value: ClusterResources } | undefined
  let generation = 0

  const invalidate = (): void => {
    generation += 1
    cached = undefined
    inFlight = undefined
  }

  const changing =
    <Args extends unknown[]>(call: (...args: Args) => Promise<void>) =>
    async (...args: Args): Promise<void> => {
      invalidate()
      try {
        await call(...args)
      } finally {
        invalidate()
      }
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
      const read = cluster.resources(
        readOptions?.onLine === undefined ? {} : { onLine: readOptions.onLine },
      )
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
    destroyVm: changing(cluster.destroyVm.bind(cluster)),
    migrateVm: changing(cluster.migrateVm.bind(cluster)),
    cloneVm: changing(cluster.cloneVm.bind(cluster)),
    templateVm: changing(cluster.templateVm.bind(cluster)),
    nodeStatus: cluster.nodeStatus.bind(cluster),
    nodeStorages: cluster.nodeStorages.bind(cluster),
    vmStatus: cluster.vmStatus.bind(cluster),
    vmConfig: cluster.vmConfig.bind(cluster),
  }
}
