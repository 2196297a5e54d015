import { describeError } from '../../errors.js'
import type { SimContext } from '../context.js'
import { findNode } from '../state/volumes.js'
import { PveDieError, PveParamError, PvePermissionError } from './errors.js'
import type { Route, RouteContext } from './route.js'
import type { SimApi, SimRequest, SimResponse } from './types.js'

interface CompiledRoute {
  route: Route
  segments: string[]
}

function splitPath(path: string): string[] | undefined {
  try {
    return path
      .replace(/^\/+/, '')
      .replace(/\/+$/, '')
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s))
  } catch {
    return undefined
  }
}

function match(segments: string[], compiled: CompiledRoute): Record<string, string> | undefined {
  if (segments.length !== compiled.segments.length) return undefined
  const values: Record<string, string> = {}
  for (let i = 0; i < segments.length; i++) {
    const want = compiled.segments[i] ?? ''
    const got = segments[i] ?? ''
    if (want.startsWith('{')) values[want.slice(1, -1)] = got
    else if (want !== got) return undefined
  }
  return values
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trimEnd() ?? ''
}

/**
 * The API's request handling: finds the method (501 when none), checks the node the path is
 * bound to, the caller's privilege (403), runs the handler and turns its failure into PVE's
 * answer: 400 with `errors`, 500 with the `die` message, or the status the error carries.
 */
export function createRouter(sim: SimContext, routes: readonly Route[]): SimApi {
  const compiled: CompiledRoute[] = routes.map((route) => ({
    route,
    segments: splitPath(route.pattern) ?? [],
  }))
  return {
    async handle(request: SimRequest): Promise<SimResponse> {
      const notImplemented: SimResponse = {
        status: 501,
        data: null,
        message: `Method '${request.method} ${request.path}' not implemented`,
      }
      const segments = splitPath(request.path)
      if (!segments) return notImplemented
      let found: { route: Route; path: Record<string, string> } | undefined
      for (const candidate of compiled) {
        if (candidate.route.method !== request.method) continue
        const path = match(segments, candidate)
        if (path) {
          found = { route: candidate.route, path }
          break
        }
      }
      if (!found) return notImplemented
      const rc: RouteContext = {
        sim,
        caller: request.caller,
        params: { ...request.params, ...found.path },
        path: found.path,
        stdout: [],
        stderr: [],
      }
      const extras = (): Partial<SimResponse> => ({
        ...(rc.stdout.length > 0 ? { stdout: rc.stdout } : {}),
        ...(rc.stderr.length > 0 ? { stderr: rc.stderr } : {}),
      })
      try {
        checkNode(sim, found.path)
        const privileges = request.caller.privileges
        const needed = found.route.permission?.(found.path)
        if (privileges && needed && !privileges.has(needed[1])) {
          throw new PvePermissionError(`${needed[0]}, ${needed[1]}`)
        }
        const result = await found.route.handler(rc)
        return {
          status: 200,
          data: result.data ?? null,
          ...(result.total === undefined ? {} : { total: result.total }),
          ...extras(),
        }
      } catch (error) {
        if (error instanceof PveParamError) {
          return {
            status: 400,
            data: null,
            message: error.message,
            errors: error.errors,
            ...extras(),
          }
        }
        if (error instanceof PvePermissionError) {
          return { status: 403, data: null, message: error.message, ...extras() }
        }
        if (error instanceof PveDieError) {
          return {
            status: error.status,
            data: null,
            message: firstLine(error.message),
            ...extras(),
          }
        }
        return { status: 500, data: null, message: firstLine(describeError(error)), ...extras() }
      }
    },
  }
}

/** A path bound to a node is proxied there: an unknown name fails the lookup, an offline node the connection. */
function checkNode(sim: SimContext, path: Record<string, string>): void {
  const name = path.node
  if (name === undefined) return
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(name)) {
    throw new PveParamError({
      node: 'invalid format - value does not look like a valid node name\n',
    })
  }
  const node = findNode(sim.state, name)
  if (!node) {
    throw new PveDieError(
      `hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`,
    )
  }
  if (!node.online) {
    throw new PveDieError(
      'Errors during connection establishment, proxy handshake: No route to host',
      595,
    )
  }
}
