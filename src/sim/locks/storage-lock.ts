import type { SimContext } from '../context.js'
import type { SimStorage } from '../state/types.js'
import { timings } from '../timings.js'
import { storageLockPath, type Release } from './file-locks.js'

/**
 * The key pmxcfs locks are held under in FileLocks: not a node name (node names cannot be
 * empty), so one lock per ID for the whole cluster.
 */
const clusterWide = ''

/** The lock ID pve-cluster gives a storage's lock (PVE/Cluster.pm, `cfs_lock_storage`). */
export const cfsStorageLockId = (storeid: string): string => `storage-${storeid}`

export interface StorageLockOptions {
  signal?: AbortSignal
  /** where the waiting line goes (the task log) */
  print?: (line: string) => void
}

/**
 * Takes a storage's allocation lock as pve-storage's `cluster_lock_storage`
 * (PVE/Storage/Plugin.pm) does. A local storage: the node's flock
 * `/var/lock/pve-manager/pve-storage-<id>`. A shared storage: one lock for the whole cluster
 * through pmxcfs (`PVE::Cluster::cfs_lock_storage`, a directory `storage-<id>` made under
 * `/etc/pve/priv/lock`), so allocations from every node queue for it. Callers pass no timeout,
 * so both wait 10 s (pve-cluster PVE/Cluster.pm `$cfs_lock`: `$timeout = 10 if !$timeout`).
 * pmxcfs words its failures itself: `cfs-lock 'storage-<id>' error: got lock request timeout`,
 * and while it waits the worker prints `trying to acquire cfs lock 'storage-<id>' ...` (each
 * second there; once here). An interrupted task's worker dies `received interrupt`
 * (pve-common PVE/RESTEnvironment.pm, `fork_worker`), which cfs_lock prefixes the same way.
 */
export function lockStorage(
  sim: SimContext,
  node: string,
  storage: SimStorage,
  options: StorageLockOptions = {},
): Promise<Release> {
  const timeoutMs = sim.pacer.lockTimeout(timings.storageLockWaitMs)
  const signal = options.signal === undefined ? {} : { signal: options.signal }
  if (!storage.shared)
    return sim.locks.acquire(node, storageLockPath(storage.id), { timeoutMs, ...signal })
  const lockid = cfsStorageLockId(storage.id)
  return sim.locks.acquire(clusterWide, `/etc/pve/priv/lock/${lockid}`, {
    timeoutMs,
    ...signal,
    onWait: () => options.print?.(`trying to acquire cfs lock '${lockid}' ...`),
    messages: {
      timeout: `cfs-lock '${lockid}' error: got lock request timeout`,
      interrupted: `cfs-lock '${lockid}' error: received interrupt`,
    },
  })
}
