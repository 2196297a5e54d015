import { sleep } from '../../../lib/sleep.js'
import { asArray, asObject, optionalNumber, optionalString } from '../../read/index.js'
import type { PveApiParams } from './transport.js'

export interface FindStartedTaskOptions {
  node: string
  /** the worker type the call starts: `qmcreate`, `qmconfig`, `qmstart`, `download`, ... */
  type: string
  /** the worker's id (the VMID), when the call names one */
  id?: string
  /** who the calls run as (`user@realm!token` for a token) */
  user: string
  /** when the uncertain call was sent, ms since the epoch */
  sentAt: number
  /** task ids this driver already knows, which cannot be the one looked for */
  known: ReadonlySet<string>
  /** GET below `/api2/json` */
  read: (path: string, params?: PveApiParams) => Promise<unknown>
  /** how many times the list is read, and the pause between two reads */
  attempts: number
  pauseMs: number
  signal?: AbortSignal
}

/** How far the node's clock may be behind ours when comparing start times, seconds. */
const clockSlackSeconds = 30

function ownedBy(entry: Record<string, unknown>, user: string): boolean {
  const name = optionalString(entry, 'user')
  const token = optionalString(entry, 'tokenid')
  return name === user || (token !== undefined && `${name ?? ''}!${token}` === user)
}

/**
 * Reads the node's task list for the worker an uncertain call may have started (pve.md §10.7):
 * its type and id, started by us, not before the call was sent, and not one we already follow.
 * Returns its UPID, or undefined when no such task shows up within the attempts.
 */
export async function findStartedTask(
  options: FindStartedTaskOptions,
): Promise<string | undefined> {
  const params: PveApiParams = {
    source: 'all',
    typefilter: options.type,
    since: Math.floor(options.sentAt / 1000) - clockSlackSeconds,
    limit: 100,
  }
  if (options.id !== undefined && /^\d+$/.test(options.id)) params.vmid = options.id
  for (let attempt = 1; ; attempt++) {
    const entries = asArray(await options.read(`/nodes/${options.node}/tasks`, params), 'tasks')
    const found = entries
      .map((item) => asObject(item, 'task'))
      .filter(
        (entry) =>
          optionalString(entry, 'type') === options.type &&
          (options.id === undefined || optionalString(entry, 'id') === options.id) &&
          ownedBy(entry, options.user) &&
          !options.known.has(optionalString(entry, 'upid') ?? ''),
      )
      .sort((a, b) => (optionalNumber(b, 'starttime') ?? 0) - (optionalNumber(a, 'starttime') ?? 0))
    const upid = found[0] === undefined ? undefined : optionalString(found[0], 'upid')
    if (upid !== undefined) return upid
    if (attempt >= options.attempts) return undefined
    await sleep(options.pauseMs, options.signal)
  }
}
