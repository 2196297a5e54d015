import { isCdrom, isDriveKey, isUnusedKey, parseSizeOption, readDrive } from '../vm-config/drive.js'
import type { Drive } from '../vm-config/drive.js'
import type { SimVm } from './types.js'

const MiB = 1024 * 1024

/** The config with pending changes applied, as `GET /config` shows it by default. */
export function effectiveConfig(vm: SimVm): Record<string, string> {
  const config = { ...vm.config, ...vm.pending }
  for (const key of vm.pendingDelete) Reflect.deleteProperty(config, key)
  return config
}

/** `memory` in MiB (`2048` or `current=2048`; default 512). */
export function memoryMiB(config: Record<string, string>): number {
  const text = config.memory
  if (text === undefined) return 512
  const match = /(?:^|current=)(\d+)/.exec(text)
  return match ? Number(match[1]) : 512
}

export const memoryBytes = (config: Record<string, string>): number => memoryMiB(config) * MiB

/** vCPUs: `vcpus`, else sockets × cores. */
export function cpuCount(config: Record<string, string>): number {
  const vcpus = Number(config.vcpus ?? 0)
  if (vcpus > 0) return vcpus
  return Number(config.sockets ?? 1) * Number(config.cores ?? 1)
}

const busOrder = ['ide', 'sata', 'scsi', 'virtio']

/** Drive keys of a config in PVE's bus order (ide, sata, scsi, virtio), then index. */
export function driveKeys(config: Record<string, string>): string[] {
  return Object.keys(config)
    .filter(isDriveKey)
    .sort((a, b) => {
      const [, busA = '', indexA = '0'] = /^([a-z]+)(\d+)$/.exec(a) ?? []
      const [, busB = '', indexB = '0'] = /^([a-z]+)(\d+)$/.exec(b) ?? []
      return busOrder.indexOf(busA) - busOrder.indexOf(busB) || Number(indexA) - Number(indexB)
    })
}

/** Each drive of a config, parsed. */
export function drives(config: Record<string, string>): { key: string; drive: Drive }[] {
  const out: { key: string; drive: Drive }[] = []
  for (const key of driveKeys(config)) {
    const drive = readDrive(config[key] ?? '')
    if (drive) out.push({ key, drive })
  }
  return out
}

/** The boot disk: the first disk of `boot: order=`, else `bootdisk`, else the first non-cdrom drive. */
export function bootDiskKey(config: Record<string, string>): string | undefined {
  const all = drives(config).filter(({ drive }) => !isCdrom(drive))
  const order = /order=([^,]*)/.exec(config.boot ?? '')?.[1]
  if (order !== undefined) {
    for (const device of order.split(';')) {
      if (all.some(({ key }) => key === device)) return device
    }
  }
  if (config.bootdisk !== undefined && all.some(({ key }) => key === config.bootdisk))
    return config.bootdisk
  return all[0]?.key
}

/** Bytes of the boot disk (0 when there is none). */
export function bootDiskSize(config: Record<string, string>): number {
  const key = bootDiskKey(config)
  if (key === undefined) return 0
  const drive = readDrive(config[key] ?? '')
  const size = drive?.options.get('size')
  return size === undefined ? 0 : (parseSizeOption(size) ?? 0)
}

/** Every volume ID a config refers to (drives and unusedN, current and pending). */
export function referencedVolids(vm: SimVm): string[] {
  const out = new Set<string>()
  for (const config of [vm.config, vm.pending]) {
    for (const [key, value] of Object.entries(config)) {
      if (!isDriveKey(key) && !isUnusedKey(key) && key !== 'efidisk0' && key !== 'tpmstate0')
        continue
      const drive = readDrive(value)
      if (drive && /^[\w.-]+:/.test(drive.file) && !/^[\w.-]+:\d+(\.\d+)?$/.test(drive.file))
        out.add(drive.file)
    }
  }
  return [...out]
}

/** The key of the cloud-init drive, if the config has one. */
export function cloudinitKey(config: Record<string, string>): string | undefined {
  return driveKeys(config).find((key) => /vm-\d+-cloudinit/.test(config[key] ?? ''))
}
