import { die } from '../api/errors.js'
import type { SimContext } from '../context.js'
import type { ClusterState, SimNode, SimStorage, SimVolume } from '../state/types.js'
import { findVolume, isFileStorage, newVolumeName, volumeSeenFrom } from '../state/volumes.js'

/** Storage plugins that make linked clones of a base volume (pve.md §2.9, §10.9). */
export function canLinkClone(storage: SimStorage, volume: SimVolume): boolean {
  // the simulator's storages are lvmthin (thin snapshots), dir and NFS (qcow2 overlays only)
  return storage.type === 'lvmthin' || volume.format === 'qcow2'
}

/** True for a template's disk: `base-<id>-disk-<n>` (renamed by `qm template`). */
export function isBaseVolid(volid: string): boolean {
  return /(?:^[\w.-]+:|\/)base-\d+-disk-\d+(?:\.\w+)?$/.test(volid)
}

/**
 * The linked clones still backed by `base` (what makes PVE refuse to free it): on the base's
 * node, or on any node when the base is on shared storage (one volume set for the cluster).
 */
export function clonesOfBase(state: ClusterState, node: string, base: string): SimVolume[] {
  return state.volumes.filter(
    (volume) => volume.base === base && volumeSeenFrom(state, volume, node),
  )
}

/**
 * The volume ID of a new linked clone of `base` for `vmid` (pve.md §2.9): LVM-thin names only the
 * new volume (`<sid>:vm-<id>-disk-<n>`), a directory storage the base's path too
 * (`local:9000/base-9000-disk-0.qcow2/9010/vm-9010-disk-0.qcow2`).
 */
export function linkedCloneVolid(
  state: ClusterState,
  node: string,
  storage: SimStorage,
  base: SimVolume,
  vmid: number,
): string {
  const plain = newVolumeName(state, node, storage, vmid, 'disk', base.format)
  if (!isFileStorage(storage)) return plain
  const baseName = base.volid.slice(storage.id.length + 1)
  const ownName = plain.slice(storage.id.length + 1)
  return `${storage.id}:${baseName}/${ownName}`
}

/** The name `qm template` gives a disk: `vm-<id>-disk-<n>` becomes `base-<id>-disk-<n>`. */
export function baseVolid(volid: string): string {
  return volid.replace(/(^[\w.-]+:(?:\d+\/)?)vm-(\d+-disk-\d+)/, '$1base-$2')
}

/**
 * `destroy_vm`'s check before it frees anything (pve.md §2.7): a template's base volume that
 * linked clones still use is refused, and nothing is removed.
 */
export function refuseBaseInUse(sim: SimContext, node: string, volids: readonly string[]): void {
  for (const volid of volids) {
    if (isBaseVolid(volid) && clonesOfBase(sim.state, node, volid).length > 0)
      die(`base volume '${volid}' is still in use by linked cloned`)
  }
}

/**
 * A linked clone on local storage cannot move: its data lives in the base on this node
 * (pve.md §10.9); a template whose base has clones cannot either.
 */
export function refuseLinkedCloneMigration(
  sim: SimContext,
  node: SimNode,
  volids: readonly string[],
): void {
  for (const volid of volids) {
    const volume = findVolume(sim.state, node.name, volid)
    const storage = node.storages.find((entry) => entry.id === volume?.storage)
    if (volume === undefined || storage?.shared === true) continue
    if (volume.base !== undefined)
      die(`can't migrate '${volid}' as it's a clone of '${volume.base}'`)
    if (isBaseVolid(volid) && clonesOfBase(sim.state, node.name, volid).length > 0)
      die(`can't migrate '${volid}': base volume is in use by linked clones`)
  }
}
