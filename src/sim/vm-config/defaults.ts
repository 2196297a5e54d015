import { randomUUID } from 'node:crypto'
import { nodeSoftware } from '../state/nodes.js'
import { isCdrom, readDrive } from './drive.js'
import { driveKeys } from '../state/vm-view.js'

/** The keys `create` adds (pve.md §2.2): smbios1 UUID, vmgenid, meta, and a default boot order. */
export function creationDefaults(config: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  if (config.smbios1 === undefined) out.smbios1 = `uuid=${randomUUID()}`
  if (config.vmgenid === undefined) out.vmgenid = randomUUID()
  if (config.meta === undefined) {
    out.meta = `creation-qemu=${nodeSoftware.qemuVersion},ctime=${Math.floor(Date.now() / 1000)}`
  }
  if (config.boot === undefined) {
    const order = defaultBootOrder(config)
    if (order.length > 0) out.boot = `order=${order.join(';')}`
  }
  return out
}

/** `get_default_bootdevices`: the first disk, the first cdrom (not cloud-init), the first NIC. */
export function defaultBootOrder(config: Record<string, string>): string[] {
  const order: string[] = []
  const keys = driveKeys(config)
  const parsed = keys.map((key) => ({ key, drive: readDrive(config[key] ?? '') }))
  const disk = parsed.find(({ drive }) => drive !== undefined && !isCdrom(drive))
  if (disk) order.push(disk.key)
  const cdrom = parsed.find(
    ({ drive }) => drive !== undefined && isCdrom(drive) && !/vm-\d+-cloudinit/.test(drive.file),
  )
  if (cdrom) order.push(cdrom.key)
  for (let i = 0; i <= 31; i++) {
    if (config[`net${i}`] !== undefined) {
      order.push(`net${i}`)
      break
    }
  }
  return order
}

/** A config with its keys in sorted order, as the config file lists them. */
export function sortedConfig(config: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(config).sort()) out[key] = config[key] ?? ''
  return out
}
