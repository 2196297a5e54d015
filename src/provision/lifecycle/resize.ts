import type { VmConfig } from '../../pve/cluster.js'
import { InvalidInputError } from '../errors.js'
import type { LifecycleDeps } from './deps.js'
import { GIB, parseRequestedSize, readDriveSize, toProxmoxGrowth } from './disk-size.js'

/** Sets the vCPU count (1..32, and at most VM_MAX_CPU). */
export async function setCpu(deps: LifecycleDeps, vmid: number, cpu: number): Promise<void> {
  if (cpu > deps.limits.maxCpu) {
    throw new InvalidInputError('cpu', `must be at most ${deps.limits.maxCpu} (VM_MAX_CPU)`)
  }
  await changeConfig(deps, vmid, 'set cpu', () => ({ cores: String(cpu) }))
}

/**
 * Sets the memory (MB, at least 512, at most VM_MAX_RAM). With VM_BALLOON_MIN the balloon
 * device may shrink the VM down to that floor (never above the memory itself).
 */
export async function setMemory(
  deps: LifecycleDeps,
  vmid: number,
  memoryMb: number,
): Promise<void> {
  const { maxRamMb, balloonMinMb } = deps.limits
  if (maxRamMb !== undefined && memoryMb > maxRamMb) {
    throw new InvalidInputError('memory', `must be at most ${maxRamMb} (VM_MAX_RAM)`)
  }
  await changeConfig(deps, vmid, 'set memory', () => {
    const changes: Record<string, string> = { memory: String(memoryMb) }
    if (balloonMinMb !== undefined) changes.balloon = String(Math.min(balloonMinMb, memoryMb))
    return changes
  })
}

/** Grows the boot disk by `amount` (`10G`); disks never shrink. */
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
    await deps.cluster.resizeDisk(vm.node, vmid, disk, toProxmoxGrowth(growth))
  } finally {
    release()
  }
}

async function changeConfig(
  deps: LifecycleDeps,
  vmid: number,
  action: string,
  changes: () => Record<string, string>,
): Promise<void> {
  const release = deps.locks.acquire(vmid, action)
  try {
    const vm = await deps.locator.locate(vmid)
    await deps.cluster.updateVm(vm.node, vmid, changes())
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
