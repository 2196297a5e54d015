import type { SimResponse } from '../../api/types.js'
import type { StdinKind } from './protocol.js'
import type { Simulator } from '../../simulator.js'

/** What the fake tools need of the simulator: its API, disk import and task following. */
export type CliFaceSimulator = Pick<Simulator, 'api' | 'importDisk' | 'followTask'>

/** One run of a fake tool: where it runs, what it was given, where its output goes. */
export interface ToolIo {
  readonly sim: CliFaceSimulator
  /** The node the tool runs on (`PVE_SIM_NODE`). */
  readonly node: string
  /** The tool's stdin, as the client forwarded it (nothing for a terminal). */
  readonly stdin: Buffer
  /** What the client's fd 0 is; undefined when the client did not say (an older client). */
  readonly stdinKind?: StdinKind
  /** Reads a terminal on fd 0 to its end, as a tool opening `/dev/stdin` does; rejects with
   * the errno code (`EIO` for a background process). */
  readTerminal(): Promise<Buffer>
  /** The client's working directory, for relative file arguments. */
  readonly cwd: string
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal
  stdout(line: string): void
  stderr(line: string): void
}

/** Calls the API as the CLI does: as root@pam, booleans parsed the CLI way. */
export function callApi(
  io: ToolIo,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  params: Record<string, string> = {},
): Promise<SimResponse> {
  return io.sim.api.handle({ method, path, params, caller: { user: 'root@pam', via: 'cli' } })
}

/** The lines a handler printed before answering, on their streams. */
export function printHandlerLines(io: ToolIo, response: SimResponse): void {
  for (const line of response.stdout ?? []) io.stdout(line)
  for (const line of response.stderr ?? []) io.stderr(line)
}

/** An API path from its segments, each encoded: a tool argument holding `/` stays one segment
 * (and is refused by the parameter checks), never a way to another path. */
export function apiPath(...segments: string[]): string {
  return `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`
}

/** `/nodes/<this node>/qemu[/<vmid>]` */
export function qemuPath(io: ToolIo, vmid?: string): string {
  return vmid === undefined
    ? apiPath('nodes', io.node, 'qemu')
    : apiPath('nodes', io.node, 'qemu', vmid)
}
