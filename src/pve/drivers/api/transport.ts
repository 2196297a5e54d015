/**
 * How the api driver reaches a Proxmox REST API: over HTTPS with a token, or in-process to the
 * embedded simulator. A transport only moves requests; the driver interprets the answers.
 */

export type PveApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** Parameter values as Proxmox takes them; booleans travel as 1/0. */
export type PveApiParams = Record<string, string | number>

export interface PveApiRequest {
  method: PveApiMethod
  /** Below `/api2/json`, with a leading slash: `/nodes/pve1/qemu/101/status/current`. */
  path: string
  params?: PveApiParams
  signal?: AbortSignal
}

/** What came back, success or not. `data` is the envelope's `data`. */
export interface PveApiResponse {
  /** HTTP status: 200 on success; 400, 401, 403, 500, 501, 595, 596 otherwise */
  status: number
  data: unknown
  /** the error text: the body's `message`, else the HTTP reason phrase */
  message?: string
  /** per-parameter messages of a 400 */
  errors?: Record<string, string>
  /** true when the body was not PVE's JSON envelope: the answer of a proxy or a crashed server,
   * not of an API method, so a 5xx of this kind says nothing definite and may be retried */
  noEnvelope?: boolean
}

export interface PveApiTransport {
  /** Who the requests run as, e.g. `root@pam` or `svc@pve!pve-qemu`, for UPIDs and messages. */
  readonly user: string
  request(request: PveApiRequest): Promise<PveApiResponse>
}
