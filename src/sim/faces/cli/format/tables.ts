/**
 * The fixed-format tables of `qm list`, `pvesm status` and `pvesm list`, printed with the same
 * printf formats as the Perl tools (pve.md §2.8, §3.1, §3.2), trailing spaces included.
 */

const right = (text: string | number, width: number): string => String(text).padStart(width)
const left = (text: string | number, width: number): string => String(text).padEnd(width)

export interface QmListEntry {
  vmid: number
  name: string
  status: string
  maxmem: number
  maxdisk: number
  pid?: number
}

/** `qm list`: nothing at all when there are no VMs; rows sorted by VMID. */
export function formatQmList(entries: readonly QmListEntry[]): string[] {
  if (entries.length === 0) return []
  const header = [
    right('VMID', 10),
    left('NAME', 20),
    left('STATUS', 10),
    left('MEM(MB)', 10),
    right('BOOTDISK(GB)', 12),
    left('PID', 10),
  ]
  const rows = [...entries]
    .sort((a, b) => a.vmid - b.vmid)
    .map((vm) =>
      [
        right(vm.vmid, 10),
        left(vm.name, 20),
        left(vm.status, 10),
        left(vm.maxmem / 1024 ** 2, 10),
        right((vm.maxdisk / 1024 ** 3).toFixed(2), 12),
        left(vm.pid ?? 0, 10),
      ].join(' '),
    )
  return [header.join(' '), ...rows]
}

export interface PvesmStatusEntry {
  storage: string
  type: string
  active: boolean
  enabled: boolean
  total: number
  used: number
  avail: number
}

/** `pvesm status`; `withUnits` is the header of pve-storage ≥ 9.0.14 (`Total (KiB)`). */
export function formatPvesmStatus(
  entries: readonly PvesmStatusEntry[],
  withUnits: boolean,
): string[] {
  const width = Math.max(4, ...entries.map((entry) => entry.storage.length)) + 1
  const sizes = withUnits
    ? ['Total (KiB)', 'Used (KiB)', 'Available (KiB)']
    : ['Total', 'Used', 'Available']
  const header = [
    left('Name', width),
    right('Type', 10),
    right('Status', 10),
    ...sizes.map((s) => right(s, 15)),
    right('%', 8),
  ]
  const rows = [...entries]
    .sort((a, b) => (a.storage < b.storage ? -1 : a.storage > b.storage ? 1 : 0))
    .map((entry) => {
      const status = !entry.enabled ? 'disabled' : entry.active ? 'active' : 'inactive'
      const kib = (bytes: number): number => (entry.enabled ? Math.trunc(bytes / 1024) : 0)
      const percent = !entry.enabled
        ? 'N/A'
        : `${(entry.total > 0 ? (entry.used * 100) / entry.total : 0).toFixed(2).padStart(7)}%`
      return [
        left(entry.storage, width),
        right(entry.type, 10),
        right(status, 10),
        right(kib(entry.total), 15),
        right(kib(entry.used), 15),
        right(kib(entry.avail), 15),
        right(percent, 8),
      ].join(' ')
    })
  return [header.join(' '), ...rows]
}

export interface PvesmListEntry {
  volid: string
  format: string
  content: string
  size: number
  vmid?: number
}

/** `pvesm list <storage>`: volumes of VMs first, then the rest; size in bytes. */
export function formatPvesmList(entries: readonly PvesmListEntry[]): string[] {
  const nameWidth = Math.max(0, ...entries.map((entry) => entry.volid.length))
  const sizeWidth = String(Math.max(0, ...entries.map((entry) => entry.size))).length
  const base = (volid: string, format: string, content: string, size: string | number): string =>
    [left(volid, nameWidth), left(format, 7), left(content, 9), right(size, sizeWidth)].join(' ')
  const owned = entries.filter((entry) => entry.vmid !== undefined)
  const other = entries.filter((entry) => entry.vmid === undefined)
  return [
    `${base('Volid', 'Format', 'Type', 'Size')} VMID`,
    ...owned.map(
      (entry) =>
        `${base(entry.volid, entry.format, entry.content, entry.size)} ${entry.vmid ?? ''}`,
    ),
    ...other.map((entry) => `${base(entry.volid, entry.format, entry.content, entry.size)} `),
  ]
}
