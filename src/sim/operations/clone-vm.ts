import { randomUUID } from 'node:crypto'
import { describeError } from '../../errors.js'
import { die, paramError } from '../api/errors.js'
import type { SimContext } from '../context.js'
import { formatDiskSize } from '../format-bytes.js'
import { lockStorage } from '../locks/storage-lock.js'
import type { SimNode, SimStorage, SimVm, SimVolume } from '../state/types.js'
import { drives } from '../state/vm-view.js'
import { addVolume, findVolume, isFileStorage } from '../state/volumes.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { timings } from '../timings.js'
import { sortedConfig } from '../vm-config/defaults.js'
import { isCdrom, isCloudinitVolume, printDrive, type Drive } from '../vm-config/drive.js'
import { nodeSoftware } from '../state/nodes.js'
import { randomMac } from '../vm-config/net.js'
import { copyWithProgress } from './copy-progress.js'
import { allocateVolume } from './disks.js'
import { canLinkClone, isBaseVolid, linkedCloneVolid } from './linked-clones.js'
import { withVmLock } from './vm-lock.js'

/** What `POST .../clone` asks for, checked. */
export interface ClonePlan {
  source: SimVm
  sourceNode: SimNode
  /** where the new VM's config goes (`target`, else the source's node) */
  targetNode: SimNode
  newid: number
  full: boolean
  name?: string
  description?: string
}

interface DiskToClone {
  key: string
  drive: Drive
  volume: SimVolume
  storage: SimStorage
  /** cloud-init drives and `full` clones are copied; other disks are linked */
  how: 'linked' | 'full'
}

/**
 * The checks PVE's `clone_vm` runs before it forks (pve.md §2.9): every disk can be cloned the
 * asked way (linked needs a template's base volume on a storage that clones), and a clone to
 * another node needs shared storage.
 */
export function planClone(sim: SimContext, plan: ClonePlan): DiskToClone[] {
  const { source, sourceNode, targetNode } = plan
  const disks: DiskToClone[] = []
  const elsewhere = targetNode.name !== sourceNode.name
  for (const { key, drive } of drives(source.config)) {
    const cloudinit = isCloudinitVolume(drive.file)
    if (isCdrom(drive) && !cloudinit) {
      // an ISO is not cloned, but one on local storage keeps the clone on this node too; a host
      // drive (`cdrom`) or `none` does not (qemu-server PVE/API2/Qemu.pm,
      // `$check_storage_access_clone`)
      const storeid = /^([\w.-]+):/.exec(drive.file)?.[1]
      const iso = sourceNode.storages.find((entry) => entry.id === storeid)
      if (elsewhere && storeid !== undefined && iso?.shared !== true)
        die(`can't clone VM to node '${targetNode.name}' (VM uses local storage)`)
      continue
    }
    const volume = findVolume(sim.state, sourceNode.name, drive.file)
    const storage = sourceNode.storages.find((entry) => entry.id === volume?.storage)
    if (volume === undefined || storage === undefined) die(`volume '${drive.file}' does not exist`)
    if (elsewhere && !storage.shared)
      die(`can't clone VM to node '${targetNode.name}' (VM uses local storage)`)
    const how = plan.full || cloudinit ? 'full' : 'linked'
    if (how === 'linked' && !(isBaseVolid(volume.volid) && canLinkClone(storage, volume)))
      die(`Linked clone feature is not supported for '${volume.volid}' (${key})`)
    disks.push({ key, drive, volume, storage, how })
  }
  return disks.sort((a, b) => a.key.localeCompare(b.key))
}

/** `full` given for a linked clone's storage options is a parameter error. */
export function checkLinkedOptions(full: boolean, storage: string | undefined): void {
  if (!full && storage !== undefined)
    paramError('storage', "parameter 'storage' not allowed for linked clones")
}

/**
 * The `qmclone` worker, locked as qemu-server's `clone_vm` locks it (API2/Qemu.pm:
 * `$lock_source_vm` → `$lock_target_vm` → `$clonefn`): the source's config flock, shared while
 * the source is stopped (`lock_config_shared`, so clones of one template run side by side) and
 * exclusive while it runs, then the new VMID's flock exclusively, each with clone's 1 s wait,
 * both held for the whole clone. Inside, it writes the new config locked `clone`, makes each
 * disk (linked: a thin snapshot or qcow2 overlay of the base under the storage's lock, nearly
 * instant; full: allocated under that lock and copied), then the final config with fresh
 * identifiers. The storage lock (10 s wait, pve-storage's `cluster_lock_storage`: the node's
 * flock, or pmxcfs's cluster-wide lock for shared storage) is what many parallel clones on one
 * storage contend for (pve.md §10.10). A failure removes what was made
 * and dies `clone failed: <reason>`.
 */
export async function cloneVm(
  sim: SimContext,
  plan: ClonePlan,
  disks: DiskToClone[],
  task: TaskContext,
): Promise<void> {
  const { source, sourceNode, newid } = plan
  const lockOptions = { waitMs: timings.cloneLockWaitMs, print: task.log, signal: task.signal }
  await withVmLock(
    sim,
    sourceNode.name,
    source.vmid,
    () =>
      withVmLock(
        sim,
        sourceNode.name,
        newid,
        () => cloneLocked(sim, plan, disks, task),
        lockOptions,
      ),
    { ...lockOptions, shared: source.power !== 'running' },
  )
}

/** `$clonefn`: the clone itself, with both config locks held. */
async function cloneLocked(
  sim: SimContext,
  plan: ClonePlan,
  disks: DiskToClone[],
  task: TaskContext,
): Promise<void> {
  const { targetNode, newid } = plan
  const other = sim.state.vms.get(newid)
  if (other) die(`unable to create VM ${newid}: config file already exists`)
  sim.state.vms.set(newid, {
    vmid: newid,
    node: targetNode.name,
    config: { lock: 'clone' },
    pending: {},
    pendingDelete: [],
    power: 'stopped',
  })
  sim.changed()
  const made: SimVolume[] = []
  try {
    const fault = sim.faults.take('clone', newid)
    await sim.faults.gate('clone', newid, task.signal)
    const config = cloneConfig(plan.source.config, plan)
    for (const disk of disks) {
      task.log(`create ${disk.how} clone of drive ${disk.key} (${disk.volume.volid})`)
      const volume =
        disk.how === 'linked'
          ? await linkVolume(sim, targetNode, disk, newid, task)
          : await copyVolume(sim, targetNode, disk, newid, task)
      made.push(volume)
      const options = new Map(disk.drive.options)
      if (disk.how === 'full' && !isCloudinitVolume(volume.volid))
        options.set('size', formatDiskSize(volume.size))
      config[disk.key] = printDrive({ file: volume.volid, options })
      if (fault !== undefined) throw new Error(fault.replace(/^clone failed: /, ''))
    }
    const vm = sim.state.vms.get(newid)
    if (vm !== undefined) {
      vm.config = sortedConfig(config)
      sim.changed()
    }
  } catch (error) {
    for (const volume of made) {
      const index = sim.state.volumes.indexOf(volume)
      if (index >= 0) sim.state.volumes.splice(index, 1)
    }
    if (sim.state.vms.get(newid)?.config.lock === 'clone') sim.state.vms.delete(newid)
    sim.changed()
    throw new Error(`clone failed: ${describeError(error)}`, { cause: error })
  }
}

/** The new VM's config: the source's without `template`, locks and unused disks; new ids. */
function cloneConfig(source: Record<string, string>, plan: ClonePlan): Record<string, string> {
  const config: Record<string, string> = {}
  for (const [key, value] of Object.entries(source)) {
    if (key === 'template' || key === 'lock' || /^unused\d+$/.test(key)) continue
    // every NIC gets a fresh MAC
    config[key] = /^net\d+$/.test(key)
      ? value.replace(/^(\w+)=[0-9A-Fa-f:]{17}/, `$1=${randomMac()}`)
      : value
  }
  config.name = plan.name ?? `Copy-of-VM-${source.name ?? String(plan.source.vmid)}`
  if (plan.description !== undefined) config.description = plan.description
  config.smbios1 = `uuid=${randomUUID()}`
  config.vmgenid = randomUUID()
  config.meta = `creation-qemu=${nodeSoftware.qemuVersion},ctime=${Math.floor(Date.now() / 1000)}`
  return config
}

/**
 * A thin snapshot (LVM-thin) or a qcow2 overlay (dir) of the base: no data is copied. The
 * storage's lock is held for this step only, as pve-storage's `vdisk_clone` (src/PVE/Storage.pm)
 * holds `cluster_lock_storage` around the plugin's `clone_image` alone.
 */
async function linkVolume(
  sim: SimContext,
  node: SimNode,
  disk: DiskToClone,
  newid: number,
  task: TaskContext,
): Promise<SimVolume> {
  const { storage, volume: base } = disk
  const release = await lockStorage(sim, node.name, storage, {
    signal: task.signal,
    print: task.log,
  })
  try {
    await sim.pacer.wait(timings.cloneLinkedMs, task.signal)
    const volid = linkedCloneVolid(sim.state, node.name, storage, base, newid)
    const own = volid.slice(volid.lastIndexOf('/') + 1).replace(/^[\w.-]+:/, '')
    if (isFileStorage(storage)) {
      const baseName = base.volid.slice(storage.id.length + 1)
      const path = `${storage.path ?? `/mnt/pve/${storage.id}`}/images/${newid}/${own}`
      task.log(`clone ${baseName}: images, ${own}, ${newid} to ${own} (base=../${baseName})`)
      task.log(
        `Formatting '${path}', fmt=qcow2 cluster_size=65536 extended_l2=off preallocation=off compression_type=zlib size=${base.size} backing_file=../${baseName} backing_fmt=${base.format} lazy_refcounts=off refcount_bits=16`,
      )
    } else {
      task.log(`  Logical volume "${own}" created.`)
    }
    const volume = addVolume(sim.state, {
      volid,
      node: node.name,
      storage: storage.id,
      content: 'images',
      format: isFileStorage(storage) ? 'qcow2' : base.format,
      size: base.size,
      used: isFileStorage(storage) ? 200_704 : 0,
      vmid: newid,
      base: base.volid,
      // the clone reads the base's blocks: the same OS, with or without the agent
      ...(base.qemuGuestAgent === undefined ? {} : { qemuGuestAgent: base.qemuGuestAgent }),
      ctime: Math.floor(Date.now() / 1000),
    })
    sim.changed()
    return volume
  } finally {
    release()
  }
}

/** A full copy: a new volume allocated and the data copied (cloud-init drives always). */
async function copyVolume(
  sim: SimContext,
  node: SimNode,
  disk: DiskToClone,
  newid: number,
  task: TaskContext,
): Promise<SimVolume> {
  const cloudinit = isCloudinitVolume(disk.volume.volid)
  const volume = await allocateVolume(
    sim,
    node,
    disk.storage,
    {
      vmid: newid,
      kind: cloudinit ? 'cloudinit' : 'disk',
      format: disk.volume.format,
      size: disk.volume.size,
      used: disk.volume.used,
    },
    { print: task.log, signal: task.signal },
  )
  if (!cloudinit) {
    await copyWithProgress({
      pacer: sim.pacer,
      size: disk.volume.size,
      bytesPerSecond: timings.importBytesPerSecond,
      print: task.log,
      signal: task.signal,
    })
    // a copy of the data: the same OS, with or without the agent
    if (disk.volume.qemuGuestAgent !== undefined) {
      volume.qemuGuestAgent = disk.volume.qemuGuestAgent
      sim.changed()
    }
  }
  return volume
}
