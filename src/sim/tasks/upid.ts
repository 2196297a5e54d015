/** The parts of a UPID (pve.md §1.12). */
export interface Upid {
  node: string
  pid: number
  pstart: number
  starttime: number
  type: string
  id: string
  /** `root@pam`, or `user@realm!tokenid` for a token */
  user: string
}

const hex = (value: number, width: number): string =>
  value.toString(16).toUpperCase().padStart(width, '0')

/** `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`, uppercase hex, trailing colon. */
export function formatUpid(upid: Upid): string {
  return `UPID:${upid.node}:${hex(upid.pid, 8)}:${hex(upid.pstart, 8)}:${hex(upid.starttime, 8)}:${upid.type}:${upid.id}:${upid.user}:`
}

const pattern =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/

/** Parses a UPID, or returns undefined when it is malformed. */
export function parseUpid(text: string): Upid | undefined {
  const match = pattern.exec(text)
  if (!match) return undefined
  return {
    node: match[1] ?? '',
    pid: parseInt(match[3] ?? '0', 16),
    pstart: parseInt(match[4] ?? '0', 16),
    starttime: parseInt(match[5] ?? '0', 16),
    type: match[6] ?? '',
    id: match[7] ?? '',
    user: match[8] ?? '',
  }
}
