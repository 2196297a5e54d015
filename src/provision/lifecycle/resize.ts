import type { VmConfig } from '../../pve/cluster.js'
import { pendingChanges } from '../../pve/read/index.js'
import { InvalidInputError } from '../errors.js'
import type { LifecycleDeps } from './deps.js'
import { GIB, parseRequestedSize, readDriveSize, toProxmoxGrowth } from './disk-size.js'
import type { LocatedVm } from './vm-locator.js'

const MIB = 1024 * 1024

/** What a change to a running VM left for its next cold start (pve.md §2.3, §10.3). */
export interface ChangeOutcome {
  /** the changed keys Proxmox put in `[PENDING]` (empty when all applied at once) */
  pending: string[]
}

/** Sets the vCPU count (1..32, and at most VM_MAX_CPU). */
export async function setCpu(
  deps: LifecycleDeps,
  vmid: number,
  cpu: number,
): Promise<ChangeOutcome> {
  if (cpu > deps.limits.maxCpu) {
    throw new InvalidInputError('cpu', `must be at most ${deps.limits.maxCpu} (VM_MAX_CPU)`)
  }
  return await changeConfig(deps, vmid, 'set cpu', () => Promise.resolve({ cores: String(cpu) }))
}

/**
 * Sets the memory (MB, at least 512, at most VM_MAX_RAM and the node's memory). Proxmox refuses a
 * memory below the balloon (`balloon value too large`, pve.md §10.2), so the balloon goes down in
 * the same change: to VM_BALLOON_MIN (never above the memory) when that is set, as installs do,
 * else to the new memory when the VM's balloon is larger. `balloon: 0` (no device) is left alone.
 */
export async function setMemory(
  deps: LifecycleDeps,
  vmid: number,
  memoryMb: number,
): Promise<ChangeOutcome> {
  const { maxRamMb, balloonMinMb } = deps.limits
  if (maxRamMb !== undefined && memoryMb > maxRamMb) {
    throw new InvalidInputError('memory', `must be at most ${maxRamMb} (VM_MAX_RAM)`)
  }
  return await changeConfig(deps, vmid, 'set memory', async (vm) => {
    const node = await deps.cluster.nodeStatus(vm.node)
    const nodeMb = Math.floor(node.memoryTotal / MIB)
    if (memoryMb > nodeMb) {
      throw new InvalidInputError('memory', `must be at most ${nodeMb} (the memory of ${vm.node})`)
    }
    const changes: Record<string, string> = { memory: String(memoryMb) }
    if (balloonMinMb !== undefined) {
      changes.balloon = String(Math.min(balloonMinMb, memoryMb))
      return changes
    }
    const config = await deps.cluster.vmConfig(vm.node, vmid)
    const balloon = Number(config.balloon ?? 0)
    if (balloon > memoryMb) changes.balloon = String(memoryMb)
    return changes
  })
}

/** Grows the boot disk by `amount` (`10G`); disks never shrink, and must fit their storage. */
export async function growDisk(deps: LifecycleDeps, vmid: number, amount: string): Promise<void> {
  const growth = parseRequestedSize(amount)
  if (growth === undefined) {
    throw new InvalidInputError('disk', `"${amount}" is not a size to grow by, such as "10G"`)
  }
  const release = deps.locks.acquire(vmid, 'set disk')
  try {
    const vm = await deps.locator.locate(vmid)
    const config = await deps.cluster.vmConfig(vm.node, vmid)
    const disk = bootDisk(config)
    if (disk === undefined) throw new InvalidInputError('disk', `VM ${vmid} has no disk to grow`)
    const current = readDriveSize(config[disk] ?? '') ?? 0
    const maxDiskGb = deps.limits.maxDiskGb
    if (maxDiskGb !== undefined && current + growth > maxDiskGb * GIB) {
      const now = (current / GIB).toFixed(0)
      throw new InvalidInputError('disk', `${now}G + ${amount} exceeds ${maxDiskGb}G (VM_MAX_DISK)`)
    }
    await checkStorageRoom(deps, vm, config[disk] ?? '', amount, growth)
    await deps.cluster.resizeDisk(vm.node, vmid, disk, toProxmoxGrowth(growth))
  } finally {
    release()
  }
}

/** The same room check the install makes (free space of the storage on the VM's node). */
async function checkStorageRoom(
  deps: LifecycleDeps,
  vm: LocatedVm,
  drive: string,
  amount: string,
  growth: number,
): Promise<void> {
  const storageId = /^([A-Za-z][A-Za-z0-9\-_.]*):/.exec(drive)?.[1]
  if (storageId === undefined) return
  const storages = await deps.cluster.nodeStorages(vm.node)
  const storage = storages.find((entry) => entry.storage === storageId)
  if (storage === undefined) return
  if (growth > storage.avail) {
    const free = (storage.avail / GIB).toFixed(1)
    throw new InvalidInputError(
      'disk',
      `${amount} exceeds the ${free}G free on storage ${storageId} of ${vm.node}`,
    )
  }
}

async function changeConfig(
  deps: LifecycleDeps,
  vmid: number,
  action: string,
  changes: (vm: LocatedVm) => Promise<Record<string, string>>,
): Promise<ChangeOutcome> {
  const release = deps.locks.acquire(vmid, action)
  try {
    const vm = await deps.locator.locate(vmid)
    const wanted = await changes(vm)
    await deps.cluster.updateVm(vm.node, vmid, wanted)
    if (vm.status.status !== 'running') return { pending: [] }
    // a running VM takes only what it can hot-plug; ask Proxmox what waits for a cold start
    const waiting = pendingChanges(await deps.cluster.vmPending(vm.node, vmid))
    const ours = Object.fromEntries(
      Object.entries(waiting).filter(([key]) => Object.hasOwn(wanted, key)),
    )
    deps.pending.record(vmid, ours, Date.now() - vm.status.uptime * 1000)
    return { pending: Object.keys(ours).sort() }
  } finally {
    release()
  }
}

const diskKey = /^(scsi|virtio|sata|ide)\d+$/

/** The disk the VM boots from: the first disk of `boot: order=...`, else the first disk key. */
export function bootDisk(config: VmConfig): string | undefined {
  const isDisk = (key: string): boolean =>
    diskKey.test(key) && config[key] !== undefined && !/media=cdrom|cloudinit/.test(config[key])
  const order = /(?:^|,)order=([^,]+)/.exec(config.boot ?? '')?.[1]
  const fromOrder = order?.split(';').find(isDisk)
  if (fromOrder !== undefined) return fromOrder
  return Object.keys(config).filter(isDisk).sort()[0]
}
