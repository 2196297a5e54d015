import type { PveApiMethod } from '../../pve/drivers/api/transport.js'
import type { SimContext } from '../context.js'
import type { SimCaller, SimParams } from './types.js'

/** What a handler gets: the model, the caller, the raw parameters (path ones merged in). */
export interface RouteContext {
  readonly sim: SimContext
  readonly caller: SimCaller
  /** request parameters plus the path's `{node}`, `{vmid}`, ... */
  readonly params: SimParams
  /** the path's placeholders, as text */
  readonly path: Readonly<Record<string, string>>
  /** lines the method printed on stdout/stderr (what a CLI face shows) */
  readonly stdout: string[]
  readonly stderr: string[]
}

/** The answer of a handler: the envelope's `data`, and `total` for task logs. */
export interface RouteResult {
  data: unknown
  total?: number
}

export interface Route {
  method: PveApiMethod
  /** `/nodes/{node}/qemu/{vmid}/config` */
  pattern: string
  /** the privilege checked when the caller's privileges are restricted: [acl path, privilege] */
  permission?: (path: Readonly<Record<string, string>>) => [string, string] | undefined
  handler: (rc: RouteContext) => Promise<RouteResult> | RouteResult
}

/** True when the caller is `root@pam` itself (not a token of it). */
export function isRoot(caller: SimCaller): boolean {
  return caller.user === 'root@pam' && caller.tokenId === undefined
}

/** The user a task records: the user, and the token id apart. */
export function taskUser(caller: SimCaller): { user: string; tokenId?: string } {
  const bang = caller.user.indexOf('!')
  if (bang >= 0) return { user: caller.user.slice(0, bang), tokenId: caller.user.slice(bang + 1) }
  return caller.tokenId === undefined
    ? { user: caller.user }
    : { user: caller.user, tokenId: caller.tokenId }
}
