/**
 * The simulator's core speaks the Proxmox REST API's language: a method, a path below
 * `/api2/json`, parameters, and an answer with an HTTP status. Every face of the simulator (the
 * in-process transport, the fake `qm`/`pvesh`/`pvesm`, the HTTPS face) is a thin translation to
 * and from these calls, just as the real tools are thin wrappers around the API's Perl methods.
 */
import type { PveApiMethod } from '../../pve/drivers/api/transport.js'

/** Parameter values as they arrive: strings from a CLI or form body, numbers/booleans from JSON. */
export type SimParams = Record<string, string | number | boolean>

/** Who is calling. The CLI faces run as `root@pam`; a token is `user@realm!tokenid`. */
export interface SimCaller {
  user: string
  tokenId?: string
  /** When set, the only privileges this caller holds (tokens with privilege separation). */
  privileges?: ReadonlySet<string>
  /** How booleans were sent: the CLI parses yes/no/on/off/true/false, a REST form only 0/1. */
  via: 'cli' | 'rest-form' | 'rest-json' | 'in-process'
}

export interface SimRequest {
  method: PveApiMethod
  path: string
  params: SimParams
  caller: SimCaller
}

/** The answer: `status` 200 with `data`, or an error with Proxmox's exact wording. */
export interface SimResponse {
  status: number
  data: unknown
  /** error text (the reason phrase / body `message`), e.g. `Configuration file '...' does not exist` */
  message?: string
  /** per-parameter messages of a `400 Parameter verification failed.` */
  errors?: Record<string, string>
  /** the body's `total` (task logs: the number of lines) */
  total?: number
  /** lines the method printed on stdout before answering (`update VM 100: -memory 4096`, disk
   * creation lines of a synchronous config change); a CLI face prints them, REST drops them */
  stdout?: string[]
  /** lines the method printed on stderr (`cannot delete 'foo' - not set in current configuration!`,
   * the `VM 100 not running` warning of a shutdown of a stopped VM) */
  stderr?: string[]
}

export interface SimApi {
  handle(request: SimRequest): Promise<SimResponse>
}
