/**
 * Disk sizes as people and Proxmox write them. Our API takes whole units (`10G`, `1T`, `512M`;
 * a bare number means GB, since nobody grows a disk by bytes); Proxmox's config shows `size=32G`
 * or `size=3584M` (pve.md §2.5).
 */
const unitBytes: Record<string, number> = {
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
}

/** Parses a size of our API (`20G`, `+10G`, `512M`, `1T`, `16`) into bytes; undefined if malformed. */
export function parseRequestedSize(text: string): number | undefined {
  const match = /^\+?(\d{1,7})([MGT]?)$/i.exec(text.trim())
  if (match === null) return undefined
  const [, amount = '', unit = ''] = match
  const bytes = Number(amount) * (unitBytes[unit.toUpperCase() || 'G'] ?? 0)
  return bytes > 0 ? bytes : undefined
}

/** Reads the `size=` option of a Proxmox drive string (`local-lvm:vm-101-disk-0,size=32G`). */
export function readDriveSize(drive: string): number | undefined {
  const match = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(drive)
  if (match === null) return undefined
  const [, amount = '', unit = ''] = match
  return Math.round(Number(amount) * (unit === '' ? 1 : (unitBytes[unit] ?? 1)))
}

/** Bytes as Proxmox's size syntax in the largest whole unit (`+10G`, `+512M`). */
export function toProxmoxGrowth(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K']) {
    const size = unitBytes[unit] ?? 1
    if (bytes % size === 0) return `+${bytes / size}${unit}`
  }
  return `+${bytes}`
}

export const GIB = unitBytes.G ?? 1024 ** 3
