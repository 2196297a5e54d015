import { die } from '../api/errors.js'
import type { ClusterState, SimNode, SimStorage, SimVolume } from './types.js'

/** The node of that name, or undefined. */
export function findNode(state: ClusterState, name: string): SimNode | undefined {
  return state.nodes.find((node) => node.name === name)
}

/** The storage as configured on `node`, or dies like PVE (`storage 'x' does not exist`). */
export function requireStorage(node: SimNode, storeid: string): SimStorage {
  const storage = node.storages.find((s) => s.id === storeid)
  if (!storage) die(`storage '${storeid}' does not exist`)
  if (!storage.enabled) die(`storage '${storeid}' is disabled`)
  return storage
}

/** Whether `storage` is a file storage (dir, NFS): volumes are files, disks raw or qcow2. */
export function isFileStorage(storage: Pick<SimStorage, 'type'>): boolean {
  return storage.type === 'dir' || storage.type === 'nfs'
}

/** Whether the storage of that ID is shared, as the cluster's storage.cfg says (every node alike). */
export function isSharedStorage(state: ClusterState, storeid: string): boolean {
  return state.nodes.some((node) => node.storages.some((s) => s.id === storeid && s.shared))
}

/**
 * Whether `node` sees `volume`: a local storage's volumes only on the node that holds them, a
 * shared storage's on every node. A shared storage is one volume set for the whole cluster
 * (pve-storage PVE/Storage.pm: `storage_check_node` and `vdisk_list` treat a `shared` storage as
 * reachable from every node; its `node` field says only where a volume was made).
 */
export function volumeSeenFrom(state: ClusterState, volume: SimVolume, node: string): boolean {
  return volume.node === node || isSharedStorage(state, volume.storage)
}

/** The volumes of `storeid` as `node` lists them. */
export function volumesOn(state: ClusterState, node: string, storeid: string): SimVolume[] {
  return state.volumes.filter((v) => v.storage === storeid && volumeSeenFrom(state, v, node))
}

/** Bytes used on a storage: its base use plus every volume's allocation. */
export function storageUsed(state: ClusterState, node: string, storage: SimStorage): number {
  let used = storage.baseUsed
  for (const volume of volumesOn(state, node, storage.id)) used += volume.used
  return Math.min(used, storage.total)
}

export function findVolume(
  state: ClusterState,
  node: string,
  volid: string,
): SimVolume | undefined {
  return state.volumes.find((v) => v.volid === volid && volumeSeenFrom(state, v, node))
}

export type VolumeKind = 'disk' | 'cloudinit'

/** The volume name PVE picks for a new disk: the first free `vm-<id>-disk-<n>` (pve.md §2.4). */
export function newVolumeName(
  state: ClusterState,
  node: string,
  storage: SimStorage,
  vmid: number,
  kind: VolumeKind,
  format: string,
): string {
  const prefix = `${storage.id}:`
  const dir = isFileStorage(storage)
  if (kind === 'cloudinit') {
    return dir ? `${prefix}${vmid}/vm-${vmid}-cloudinit.${format}` : `${prefix}vm-${vmid}-cloudinit`
  }
  const taken = new Set<number>()
  const pattern = new RegExp(`(?:^|/)(?:vm|base)-${vmid}-disk-(\\d+)(?:\\.\\w+)?$`)
  for (const volume of volumesOn(state, node, storage.id)) {
    const match = pattern.exec(volume.volid.slice(prefix.length))
    if (match) taken.add(Number(match[1]))
  }
  let n = 0
  while (taken.has(n)) n++
  return dir ? `${prefix}${vmid}/vm-${vmid}-disk-${n}.${format}` : `${prefix}vm-${vmid}-disk-${n}`
}

/** The file path of a volume on a dir storage. */
export function volumePath(storage: SimStorage, volid: string): string {
  const volname = volid.slice(storage.id.length + 1)
  const base = storage.path ?? `/mnt/pve/${storage.id}`
  const slash = volname.indexOf('/')
  const head = volname.slice(0, slash)
  if (/^\d+$/.test(head)) return `${base}/images/${volname}`
  if (head === 'iso') return `${base}/template/iso/${volname.slice(slash + 1)}`
  if (head === 'vztmpl') return `${base}/template/cache/${volname.slice(slash + 1)}`
  return `${base}/${volname}`
}

/** What the storage tool prints when it creates a volume. */
export function allocationLines(
  storage: SimStorage,
  volid: string,
  size: number,
  format: string,
): string[] {
  const volname = volid.slice(storage.id.length + 1)
  if (storage.type === 'lvmthin') return [`  Logical volume "${volname}" created.`]
  const path = volumePath(storage, volid)
  if (format === 'qcow2') {
    return [
      `Formatting '${path}', fmt=qcow2 cluster_size=65536 extended_l2=off preallocation=metadata compression_type=zlib size=${size} lazy_refcounts=off refcount_bits=16`,
    ]
  }
  return [`Formatting '${path}', fmt=${format} size=${size} preallocation=off`]
}

/** What the storage tool prints when it removes a volume. */
export function removalLines(storage: SimStorage | undefined, volid: string): string[] {
  if (storage?.type !== 'lvmthin') return []
  return [`  Logical volume "${volid.slice(storage.id.length + 1)}" successfully removed.`]
}

/** Adds a volume to the state. */
export function addVolume(state: ClusterState, volume: SimVolume): SimVolume {
  state.volumes.push(volume)
  return volume
}

/** Removes a volume from the state; returns it when it existed. */
export function removeVolume(
  state: ClusterState,
  node: string,
  volid: string,
): SimVolume | undefined {
  const index = state.volumes.findIndex((v) => v.volid === volid && volumeSeenFrom(state, v, node))
  if (index < 0) return undefined
  const [removed] = state.volumes.splice(index, 1)
  return removed
}
