import type { PveApiMethod } from '../../src/pve/drivers/api/transport.js'
import { createSimulator } from '../../src/sim/index.js'
import type {
  SimCaller,
  SimParams,
  SimResponse,
  Simulator,
  SimulatorOptions,
} from '../../src/sim/index.js'

export const root: SimCaller = { user: 'root@pam', via: 'in-process' }
export const UPID_PATTERN =
  /^UPID:[a-zA-Z0-9-]+:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[a-z]+:[^:]*:[^:]+:$/

/** A simulator at speed 0 with the demo VMs, unless told otherwise. */
export function buildSim(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return createSimulator({ speed: 0, ...options })
}

/** Calls the API as `caller` (root by default). */
export function call(
  sim: Simulator,
  method: PveApiMethod,
  path: string,
  params: SimParams = {},
  caller: SimCaller = root,
): Promise<SimResponse> {
  return sim.api.handle({ method, path, params, caller })
}

/** Starts a task-returning call, checks it answered a UPID, and waits for the task. */
export async function runTask(
  sim: Simulator,
  method: PveApiMethod,
  path: string,
  params: SimParams = {},
  caller: SimCaller = root,
): Promise<{ upid: string; exitstatus: string; lines: string[] }> {
  const response = await call(sim, method, path, params, caller)
  if (response.status !== 200 || typeof response.data !== 'string') {
    throw new Error(`expected a UPID from ${method} ${path}, got ${JSON.stringify(response)}`)
  }
  const lines: string[] = []
  const exitstatus = await sim.followTask(response.data, (line) => lines.push(line))
  return { upid: response.data, exitstatus, lines }
}

/** The data of a successful call. */
export async function get(sim: Simulator, path: string, params: SimParams = {}): Promise<unknown> {
  const response = await call(sim, 'GET', path, params)
  if (response.status !== 200)
    throw new Error(`GET ${path}: ${response.status} ${response.message ?? ''}`)
  return response.data
}

export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not an object')
  return value as Record<string, unknown>
}

export function asList(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error('not a list')
  return value.map(asRecord)
}
