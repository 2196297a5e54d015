import { parsePropertyString, printPropertyString } from './property-string.js'
import type { ParsedProperties, PropertyFormat } from './property-string.js'

/** Bus prefixes and their highest index, as qemu-server allows them. */
export const driveBuses: Record<string, number> = { ide: 3, sata: 5, scsi: 30, virtio: 15 }

const driveKeyPattern = /^(ide|sata|scsi|virtio)(\d+)$/

/** True for `scsi0`..`scsi30`, `virtio0`..`virtio15`, `sata0`..`sata5`, `ide0`..`ide3`. */
export function isDriveKey(key: string): boolean {
  const match = driveKeyPattern.exec(key)
  if (!match) return false
  const max = driveBuses[match[1] ?? '']
  const index = Number(match[2])
  return max !== undefined && index <= max && String(index) === match[2]
}

/** True for `unused0`..`unused255`. */
export function isUnusedKey(key: string): boolean {
  const match = /^unused(\d+)$/.exec(key)
  return match !== null && Number(match[1]) <= 255 && String(Number(match[1])) === match[1]
}

const sizePattern = /^\d+(\.\d+)?[KMGT]?$/

export const driveFormat: PropertyFormat = {
  defaultKey: 'file',
  keys: {
    file: { type: 'any' },
    media: { type: 'enum', values: ['cdrom', 'disk'] },
    cache: { type: 'enum', values: ['none', 'writethrough', 'writeback', 'unsafe', 'directsync'] },
    format: { type: 'enum', values: ['raw', 'cow', 'qcow', 'qed', 'qcow2', 'vmdk', 'cloop'] },
    aio: { type: 'enum', values: ['native', 'threads', 'io_uring'] },
    discard: { type: 'enum', values: ['ignore', 'on'] },
    detect_zeroes: { type: 'bool' },
    iothread: { type: 'bool' },
    ssd: { type: 'bool' },
    backup: { type: 'bool' },
    replicate: { type: 'bool' },
    ro: { type: 'bool' },
    shared: { type: 'bool' },
    snapshot: { type: 'bool' },
    rerror: { type: 'enum', values: ['ignore', 'report', 'stop'] },
    werror: { type: 'enum', values: ['enospc', 'ignore', 'report', 'stop'] },
    serial: { type: 'pattern', pattern: /^[-%a-zA-Z0-9_.!~*'()]{0,60}$/ },
    wwn: { type: 'pattern', pattern: /^(0x)[0-9a-fA-F]{16}$/ },
    size: { type: 'pattern', pattern: sizePattern },
    queues: { type: 'int', minimum: 2 },
    mbps: { type: 'any' },
    mbps_rd: { type: 'any' },
    mbps_wr: { type: 'any' },
    iops: { type: 'any' },
    iops_rd: { type: 'any' },
    iops_wr: { type: 'any' },
    model: { type: 'any' },
    vendor: { type: 'any' },
    product: { type: 'any' },
    'import-from': { type: 'any' },
  },
}

/** A parsed drive string: the volume part and its options. */
export interface Drive {
  file: string
  options: ParsedProperties
}

/** Parses a drive option value, or returns the 400 errors of a bad one. */
export function parseDrive(
  key: string,
  text: string,
): { ok: true; drive: Drive } | { ok: false; errors: Record<string, string> } {
  const parsed = parsePropertyString(key, text, driveFormat)
  if (!parsed.ok) return parsed
  const file = parsed.values.get('file')
  if (file === undefined || file === '') {
    return {
      ok: false,
      errors: {
        [key]: 'invalid format - format error\n',
        [`${key}.file`]: 'property is missing and it is not optional',
      },
    }
  }
  const options = new Map(parsed.values)
  options.delete('file')
  return { ok: true, drive: { file, options } }
}

/** Prints a drive back as the config stores it: `local-lvm:vm-100-disk-0,discard=on,size=32G`. */
export function printDrive(drive: Drive): string {
  const values = new Map(drive.options)
  values.set('file', drive.file)
  return printPropertyString(values, 'file')
}

/** Parses a drive value already in the config (trusted), or undefined. */
export function readDrive(value: string): Drive | undefined {
  const parsed = parseDrive('drive', value)
  return parsed.ok ? parsed.drive : undefined
}

/** True for a cdrom (`media=cdrom`, `cdrom`, `none` on ide) or a cloud-init drive. */
export function isCdrom(drive: Drive): boolean {
  return drive.options.get('media') === 'cdrom' || drive.file === 'cdrom'
}

/** True for a cloud-init drive volume (`vm-100-cloudinit`). */
export function isCloudinitVolume(file: string): boolean {
  return /(^|[:/])vm-\d+-cloudinit(\.(qcow2|raw))?$/.test(file)
}

/** Bytes of a `size=` value (`32G`, `3584M`, `4194304`). */
export function parseSizeOption(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(text)
  if (!match) return undefined
  const factor = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[match[2] ?? ''] ?? 1
  return Math.round(Number(match[1]) * factor)
}
