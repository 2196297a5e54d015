import { parseByteSize } from './byte-size.js'

export interface TransferProgress {
  transferred: number
  total: number
  /** 0..100, two decimals as printed */
  percent: number
}

const transferLine = /^transferred (\S+ \S+) of (\S+ \S+) \((\d+(?:\.\d+)?)%\)$/

/**
 * Reads a disk import or `import-from` progress line (pve.md §2.4):
 * `transferred 35.8 MiB of 3.5 GiB (1.00%)`. Anything else gives undefined.
 */
export function parseTransferLine(line: string): TransferProgress | undefined {
  const match = transferLine.exec(line.trim())
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return undefined
  const transferred = parseByteSize(match[1])
  const total = parseByteSize(match[2])
  if (transferred === undefined || total === undefined) return undefined
  return { transferred, total, percent: Number(match[3]) }
}

export interface ImportedDisk {
  /** Where the disk was attached: `unused0`, or the `--target-disk` key. */
  key: string
  /** The new volume (with `--target-disk`, the stored drive value). */
  volid: string
}

const importedOld = /^Successfully imported disk as '([a-z]+\d+):(.+)'$/
const importedNew = /^([a-z]+\d+): successfully imported disk '(.+)'$/

/**
 * Reads the final line of `qm disk import`, which changed in PVE 8.3:
 * `Successfully imported disk as 'unused0:local-lvm:vm-9000-disk-0'` (≤ 8.2) or
 * `unused0: successfully imported disk 'local-lvm:vm-9000-disk-0'` (≥ 8.3).
 */
export function parseImportedDisk(line: string): ImportedDisk | undefined {
  const match = importedOld.exec(line.trim()) ?? importedNew.exec(line.trim())
  if (match?.[1] === undefined || match[2] === undefined) return undefined
  return { key: match[1], volid: match[2] }
}

const createdLine = /^([a-z]+\d+): successfully created disk '(.+)'$/

/** Reads `scsi0: successfully created disk 'local-lvm:vm-101-disk-0,size=32G'` (qm create/set). */
export function parseCreatedDisk(line: string): ImportedDisk | undefined {
  const match = createdLine.exec(line.trim())
  if (match?.[1] === undefined || match[2] === undefined) return undefined
  return { key: match[1], volid: match[2] }
}
