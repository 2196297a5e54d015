import { PveError } from '../../../errors.js'

/** One row of `qm list`. */
export interface QmListRow {
  vmid: number
  name: string
  status: string
  /** maxmem in MiB */
  memoryMiB: number
  /** boot disk size in GiB (two decimals in the output) */
  bootDiskGiB: number
  /** 0 when stopped */
  pid: number
}

/**
 * Reads `qm list` (pve.md §2.8). Columns are padded but a long name shifts the rest of the row,
 * so rows are split on whitespace: VMID first, the last four fields fixed, the name in between
 * (it may hold a space: an unnamed VM is listed as `VM 100`). No VMs prints nothing at all.
 */
export function parseQmList(stdout: string): QmListRow[] {
  const rows: QmListRow[] = []
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 6 || fields[0] === 'VMID') continue
    const [vmid, ...rest] = fields
    const [pid, disk, memory, status] = [rest.pop(), rest.pop(), rest.pop(), rest.pop()]
    const row = {
      vmid: Number(vmid),
      name: rest.join(' '),
      status: status ?? '',
      memoryMiB: Number(memory),
      bootDiskGiB: Number(disk),
      pid: Number(pid),
    }
    if (![row.vmid, row.memoryMiB, row.bootDiskGiB, row.pid].every(Number.isFinite)) {
      throw new PveError('failed', `unexpected qm list row: ${line.trim()}`)
    }
    rows.push(row)
  }
  return rows
}
