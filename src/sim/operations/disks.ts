import { die, paramError } from '../api/errors.js'
import type { SimCaller } from '../api/types.js'
import type { SimContext } from '../context.js'
import { formatDiskSize } from '../format-bytes.js'
import { imageShipsGuestAgent } from '../image-guest-agent.js'
import { readImageInfo } from '../image-info.js'
import { lockStorage } from '../locks/storage-lock.js'
import {
  addVolume,
  allocationLines,
  findVolume,
  isFileStorage,
  newVolumeName,
  requireStorage,
} from '../state/volumes.js'
import type { VolumeKind } from '../state/volumes.js'
import type { SimNode, SimStorage, SimVolume } from '../state/types.js'
import { timings } from '../timings.js'
import { isCloudinitVolume, parseDrive, printDrive } from '../vm-config/drive.js'
import type { Drive } from '../vm-config/drive.js'
import { copyWithProgress } from './copy-progress.js'
import { isRoot } from '../api/route.js'

const GiB = 1024 ** 3
const cloudinitSize = 4 * 1024 * 1024

/** What a drive value asks for. */
export type DiskRequest =
  | { kind: 'alloc'; key: string; drive: Drive; storage: SimStorage; bytes: number }
  | { kind: 'import'; key: string; drive: Drive; storage: SimStorage; source: string }
  | { kind: 'cloudinit'; key: string; drive: Drive; storage: SimStorage }
  | { kind: 'keep'; key: string; value: string }

const allocPattern = /^(?:([\w.-]+):)?(\d+(?:\.\d+)?)$/

/**
 * The checks PVE runs on drive parameters before it forks the worker
 * (`$check_drive_param`, `$check_storage_access`): storages exist and take images, the
 * `import-from` syntax, absolute paths for root only, referenced volumes exist.
 */
export function planDisk(
  sim: SimContext,
  node: SimNode,
  caller: SimCaller,
  key: string,
  value: string,
  defaultStorage?: string,
): DiskRequest {
  const parsed = parseDrive(key, value)
  if (!parsed.ok) throw new Error(`unparsable drive ${key}`)
  const drive = parsed.drive
  const file = drive.file
  const importFrom = drive.options.get('import-from')
  const alloc = allocPattern.exec(file)
  if (alloc) {
    const storeid = alloc[1] ?? defaultStorage
    if (storeid === undefined) die('no storage ID specified (and no default storage)')
    const storage = checkImagesStorage(node, storeid)
    const size = Number(alloc[2])
    if (importFrom !== undefined) {
      if (size !== 0) {
        paramError(
          key,
          "'import-from' requires special syntax - use <storage ID>:0,import-from=<source>",
        )
      }
      if (importFrom.startsWith('/') && !isRoot(caller))
        die('Only root can pass arbitrary filesystem paths.')
      return { kind: 'import', key, drive, storage, source: importFrom }
    }
    return { kind: 'alloc', key, drive, storage, bytes: Math.round(size * GiB) }
  }
  if (importFrom !== undefined) {
    paramError(
      key,
      "'import-from' requires special syntax - use <storage ID>:0,import-from=<source>",
    )
  }
  const cloudinit = /^([\w.-]+):cloudinit$/.exec(file)
  if (cloudinit) {
    const storage = checkImagesStorage(node, cloudinit[1] ?? '')
    return { kind: 'cloudinit', key, drive, storage }
  }
  if (file.startsWith('/')) {
    if (!isRoot(caller)) die('Only root can pass arbitrary filesystem paths.')
    return { kind: 'keep', key, value }
  }
  const volume = /^([\w.-]+):(.+)$/.exec(file)
  if (volume) {
    requireStorage(node, volume[1] ?? '')
    if (!findVolume(sim.state, node.name, file)) die(`volume '${file}' does not exist`)
    if ((volume[2] ?? '').startsWith('iso/') && drive.options.get('media') !== 'cdrom') {
      paramError(key, "explicit 'media=cdrom' is required for iso images")
    }
  }
  return { kind: 'keep', key, value }
}

function checkImagesStorage(node: SimNode, storeid: string): SimStorage {
  const storage = requireStorage(node, storeid)
  if (!storage.content.includes('images')) {
    paramError('storage', `storage '${storeid}' does not support vm images`)
  }
  return storage
}

export interface CreateDiskOptions {
  print: (line: string) => void
  signal?: AbortSignal
  /** set when an import should fail (an injected fault) */
  importFault?: string
}

/**
 * Allocates a volume under the storage's allocation lock (the node's
 * `/var/lock/pve-manager/pve-storage-<id>`, or for a shared storage the cluster-wide pmxcfs lock
 * `storage-<id>`: src/sim/locks/storage-lock.ts; 10 s wait), printing what the storage tool
 * prints. Only the allocation holds it, as in pve-storage's `vdisk_alloc` (src/PVE/Storage.pm:
 * `alloc_image` inside `cluster_lock_storage`): an import's or a full clone's data copy runs
 * after the lock is let go, and a clone's cloud-init drive is allocated and nothing copied into
 * it (qemu-server src/PVE/QemuServer.pm, `clone_disk`).
 */
export async function allocateVolume(
  sim: SimContext,
  node: SimNode,
  storage: SimStorage,
  request: { vmid: number; kind: VolumeKind; format: string; size: number; used: number },
  options: CreateDiskOptions,
): Promise<SimVolume> {
  const release = await lockStorage(sim, node.name, storage, {
    print: options.print,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  try {
    await sim.pacer.wait(timings.storageAllocHoldMs, options.signal)
    const volid = newVolumeName(
      sim.state,
      node.name,
      storage,
      request.vmid,
      request.kind,
      request.format,
    )
    for (const line of allocationLines(storage, volid, request.size, request.format))
      options.print(line)
    const volume = addVolume(sim.state, {
      volid,
      node: node.name,
      storage: storage.id,
      content: 'images',
      format: request.format,
      size: request.size,
      used: request.used,
      vmid: request.vmid,
      ctime: Math.floor(Date.now() / 1000),
    })
    sim.changed()
    return volume
  } finally {
    release()
  }
}

/** What an import source holds: its size and allocation, and whether its OS has the agent. */
export interface ImportSourceInfo {
  virtualSize: number
  fileSize: number
  format: string
  /** see `SimVolume.qemuGuestAgent` */
  qemuGuestAgent?: boolean
}

/**
 * The size and allocation of an import source: a file on the node, or a volume. Whether it
 * has the guest agent: a volume's own flag (an existing disk), else what its file name says.
 */
export async function resolveImportSource(
  sim: SimContext,
  node: SimNode,
  source: string,
): Promise<ImportSourceInfo> {
  const agent = (known: boolean | undefined): { qemuGuestAgent?: boolean } => {
    const value = known ?? imageShipsGuestAgent(source)
    return value === undefined ? {} : { qemuGuestAgent: value }
  }
  if (source.startsWith('/')) {
    try {
      const info = await readImageInfo(source)
      return {
        virtualSize: info.virtualSize,
        fileSize: info.fileSize,
        format: info.format,
        ...agent(undefined),
      }
    } catch {
      throw new Error(`${source}: non-existent or non-regular file`)
    }
  }
  const match = /^([\w.-]+):(.+)$/.exec(source)
  if (!match) throw new Error(`unable to parse volume ID '${source}'`)
  requireStorage(node, match[1] ?? '')
  const volname = match[2] ?? ''
  const type = /^(iso|vztmpl|backup|snippets)\//.exec(volname)?.[1]
  if (type !== undefined)
    throw new Error(`${source} has wrong type '${type}' - needs to be 'images' or 'import'`)
  const volume = findVolume(sim.state, node.name, source)
  if (!volume) throw new Error(`volume '${source}' does not exist`)
  if (volume.vmid !== undefined && volume.content === 'images') {
    const owner = sim.state.vms.get(volume.vmid)
    if (owner && owner.node !== node.name)
      throw new Error(`owner VM ${volume.vmid} not on local node`)
  }
  return {
    virtualSize: volume.size,
    fileSize: volume.used,
    format: volume.format,
    ...agent(volume.qemuGuestAgent),
  }
}

/** Creates what a planned drive asks for and returns the value the config stores. */
export async function createDisk(
  sim: SimContext,
  node: SimNode,
  vmid: number,
  request: DiskRequest,
  options: CreateDiskOptions,
): Promise<{ value: string; volume?: SimVolume }> {
  if (request.kind === 'keep') return { value: request.value }
  const { storage, drive, key } = request
  const dir = isFileStorage(storage)
  const options2 = new Map(drive.options)
  const wantedFormat = options2.get('format')
  options2.delete('format')
  options2.delete('import-from')
  if (request.kind === 'cloudinit') {
    const volume = await allocateVolume(
      sim,
      node,
      storage,
      {
        vmid,
        kind: 'cloudinit',
        format: dir ? 'qcow2' : 'raw',
        size: cloudinitSize,
        used: cloudinitSize,
      },
      options,
    )
    options2.set('media', 'cdrom')
    options2.delete('size')
    const value = printDrive({ file: volume.volid, options: options2 })
    options.print(`${key}: successfully created disk '${value}'`)
    return { value, volume }
  }
  const format = dir ? (wantedFormat ?? 'qcow2') : 'raw'
  if (request.kind === 'alloc') {
    const used = dir && format === 'qcow2' ? 200_704 : 0
    const volume = await allocateVolume(
      sim,
      node,
      storage,
      { vmid, kind: 'disk', format, size: request.bytes, used },
      options,
    )
    options2.set('size', formatDiskSize(request.bytes))
    const value = printDrive({ file: volume.volid, options: options2 })
    options.print(`${key}: successfully created disk '${value}'`)
    return { value, volume }
  }
  let source: ImportSourceInfo
  try {
    source = await resolveImportSource(sim, node, request.source)
  } catch (error) {
    throw new Error(
      `cannot import from '${request.source}' - ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  const volume = await allocateVolume(
    sim,
    node,
    storage,
    {
      vmid,
      kind: 'disk',
      format,
      size: source.virtualSize,
      used: Math.min(source.fileSize, source.virtualSize),
    },
    options,
  )
  try {
    await sim.faults.gate('import', vmid, options.signal)
    await copyWithProgress({
      pacer: sim.pacer,
      size: source.virtualSize,
      bytesPerSecond: timings.importBytesPerSecond,
      print: options.print,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.importFault === undefined ? {} : { failWith: options.importFault }),
    })
  } catch (error) {
    sim.state.volumes.splice(sim.state.volumes.indexOf(volume), 1)
    sim.changed()
    throw new Error(
      `cannot import from '${request.source}' - ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  if (source.qemuGuestAgent !== undefined) {
    volume.qemuGuestAgent = source.qemuGuestAgent
    sim.changed()
  }
  options2.set('size', formatDiskSize(source.virtualSize))
  const value = printDrive({ file: volume.volid, options: options2 })
  options.print(`${key}: successfully created disk '${value}'`)
  return { value, volume }
}

/** True when a drive value names a cloud-init volume. */
export function isCloudinitValue(value: string): boolean {
  const file = value.split(',')[0] ?? ''
  return isCloudinitVolume(file) || /^[\w.-]+:cloudinit$/.test(file)
}
