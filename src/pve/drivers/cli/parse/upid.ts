/** A task id taken apart (pve.md §1.12). */
export interface Upid {
  upid: string
  node: string
  pid: number
  pstart: number
  /** seconds since the epoch */
  starttime: number
  type: string
  id: string
  /** `root@pam`, or `user@realm!tokenid` for a token */
  user: string
}

const pattern =
  /^UPID:([a-zA-Z0-9][a-zA-Z0-9.-]*):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/

/**
 * Reads `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:` (hex upper case, trailing
 * colon), with or without the JSON quotes pvesh prints around it. Anything else gives undefined.
 */
export function parseUpid(text: string): Upid | undefined {
  const trimmed = text.trim()
  const bare =
    trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length > 1
      ? trimmed.slice(1, -1)
      : trimmed
  const match = pattern.exec(bare)
  if (match === null) return undefined
  const [, node, pid, pstart, starttime, type, id, user] = match
  if (
    node === undefined ||
    pid === undefined ||
    pstart === undefined ||
    starttime === undefined ||
    type === undefined ||
    id === undefined ||
    user === undefined
  ) {
    return undefined
  }
  return {
    upid: bare,
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user,
  }
}
