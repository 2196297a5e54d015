import { PveError } from '../../../errors.js'

/** One row of `pvesm status`, sizes converted from KiB to bytes. */
export interface PvesmStatusRow {
  storage: string
  type: string
  /** `active`, `inactive` or `disabled` */
  status: string
  total: number
  used: number
  avail: number
  /** used/total in percent; undefined for `N/A` (disabled storages) */
  usedPercent?: number
}

/**
 * Reads `pvesm status` (pve.md §3.1). The header changed in PVE 9.1 (`Total (KiB)`), so it is
 * skipped whatever it says; each row is seven whitespace-separated fields, sizes in KiB.
 */
export function parsePvesmStatus(stdout: string): PvesmStatusRow[] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '')
  if (lines[0]?.startsWith('Name ')) lines.shift()
  return lines.map((line) => {
    const fields = line.trim().split(/\s+/)
    const [storage, type, status, total, used, avail, percent] = fields
    const sizes = [total, used, avail].map(Number)
    if (
      fields.length !== 7 ||
      storage === undefined ||
      type === undefined ||
      status === undefined ||
      !sizes.every(Number.isFinite)
    ) {
      throw new PveError('failed', `unexpected pvesm status row: ${line.trim()}`)
    }
    const row: PvesmStatusRow = {
      storage,
      type,
      status,
      total: (sizes[0] ?? 0) * 1024,
      used: (sizes[1] ?? 0) * 1024,
      avail: (sizes[2] ?? 0) * 1024,
    }
    const usedPercent = Number(percent?.replace(/%$/, ''))
    if (Number.isFinite(usedPercent)) row.usedPercent = usedPercent
    return row
  })
}
