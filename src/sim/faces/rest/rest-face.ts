import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

import { describeError } from '../../../errors.js'
import type { PveApiMethod } from '../../../pve/drivers/api/transport.js'
import type { SimCaller, SimParams, SimResponse } from '../../api/types.js'
import type { Simulator } from '../../simulator.js'
import { accessPermissions, allPrivileges } from './access-permissions.js'
import { readParams } from './read-request.js'
import { refuseWithoutPermission, type PermissionContext } from './endpoint-permissions.js'
import { createSelfSignedCertificate } from './self-signed-certificate.js'
import { resourcesSeenWith } from '../../routes/cluster.js'
import { authenticate, splitTokenId, type SimApiToken } from './token-auth.js'

export interface SimRestFaceOptions {
  sim: Simulator
  /** the tokens it accepts; more can be added later with `addToken` */
  tokens?: readonly SimApiToken[]
  /** SIM_SPEED: scales the 3 s delay of every 401 and the proxy timeout (0: no waits, no timeout) */
  speed: number
  /**
   * How long pveproxy waits for the daemon before it answers `596 Connection timed out`, ms at
   * speed 1 (default 30 000, pveproxy's; 0 turns it off). The daemon goes on with the request.
   */
  proxyTimeoutMs?: number
  /** loopback address to listen on (default 127.0.0.1) */
  host?: string
  /** default: any free port */
  port?: number
}

/** What the next request(s) suffer instead of an answer, for tests of retries. */
export type RestFaceFault =
  | { kind: 'reset' }
  | {
      kind: 'status'
      status: number
      message: string
      envelope?: boolean
      /** the daemon runs the request first, and this answer replaces its own (a proxy that gave
       * up while the work went on) */
      afterDaemon?: boolean
    }

export interface SimRestFace {
  /** `https://127.0.0.1:<port>`: what PVE_API_URL would hold */
  readonly url: string
  /** the self-signed certificate (PEM), usable as PVE_CA_FILE content */
  readonly certificatePem: string
  /** its SHA-256 fingerprint, `AB:CD:...`, usable as PVE_TLS_FINGERPRINT */
  readonly fingerprint256: string
  addToken(token: SimApiToken): void
  /** makes the next requests (after authentication) fail this way, one fault per request */
  injectFaults(...faults: RestFaceFault[]): void
  /** authenticated API requests answered so far (round trips, for benchmarks) */
  requestCount(): number
  /** disk imports the daemon started (`import-from` in a create or config change that it ran) */
  importCount(): number
  /** requests answered with pveproxy's 596 while the daemon went on */
  proxyTimeouts(): number
  close(): Promise<void>
}

const methods: readonly PveApiMethod[] = ['GET', 'POST', 'PUT', 'DELETE']
const apiPrefix = '/api2/json'
const unauthorizedDelayMs = 3000
const pveproxyTimeoutMs = 30_000

/** A create or config change carrying a disk import. */
function startsImport(method: PveApiMethod, path: string, params: SimParams): boolean {
  if (method !== 'POST' && method !== 'PUT') return false
  if (!/^\/nodes\/[^/]+\/qemu(\/\d+\/config)?\/?$/.test(path)) return false
  return Object.values(params).some((value) => /(?:^|,)import-from=/.test(String(value)))
}

function isMethod(value: string | undefined): value is PveApiMethod {
  return methods.some((method) => method === value)
}

/** A reason phrase Node will send: one line of printable ASCII. */
function reasonPhrase(message: string): string {
  const line = message.split('\n')[0] ?? ''
  return line.replace(/[^\x20-\x7e]/g, '?').slice(0, 512)
}

function send(response: ServerResponse, answer: SimResponse, envelope = true): void {
  const message = answer.message
  const body: Record<string, unknown> = { data: answer.data }
  if (answer.total !== undefined) body.total = answer.total
  if (answer.status !== 200) {
    if (answer.errors !== undefined) body.errors = answer.errors
    if (message !== undefined) body.message = `${message}\n`
  }
  const text = envelope ? JSON.stringify(body) : ''
  response.writeHead(answer.status, reasonPhrase(message ?? 'OK'), {
    'content-type': envelope ? 'application/json;charset=UTF-8' : 'text/plain',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'max-age=0',
  })
  response.end(text)
}

/**
 * The simulated cluster behind Proxmox's REST API over HTTPS (pve.md §6): paths below
 * `/api2/json`, the `{"data": ...}` envelope, form or JSON bodies, API tokens with limited
 * privileges, every 401 delayed, errors worded as the simulator's core words them. It serves on
 * a loopback address only, with a certificate generated at start.
 *
 * @example
 * const face = await startSimRestFace({ sim, speed: 0, tokens: [{ id: 'svc@pve!x', secret }] })
 * // PVE_API_URL=face.url PVE_TLS_FINGERPRINT=face.fingerprint256
 */
export async function startSimRestFace(options: SimRestFaceOptions): Promise<SimRestFace> {
  const host = options.host ?? '127.0.0.1'
  if (!host.startsWith('127.'))
    throw new Error(`the REST face listens on loopback only, not ${host}`)
  const certificate = createSelfSignedCertificate({
    commonName: options.sim.mainNode,
    altNames: ['localhost', options.sim.mainNode, host],
  })
  const tokens = new Map<string, SimApiToken>()
  const addToken = (token: SimApiToken): void => {
    if (splitTokenId(token.id) === undefined) throw new Error(`not a token id: ${token.id}`)
    tokens.set(token.id, token)
  }
  for (const token of options.tokens ?? []) addToken(token)
  const faults: RestFaceFault[] = []
  const pending = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()
  let answered = 0
  let imports = 0
  let timeouts = 0
  const proxyTimeout = (options.proxyTimeoutMs ?? pveproxyTimeoutMs) * options.speed

  /** The daemon's answer, or pveproxy's 596 when it takes longer than the proxy waits. */
  const throughProxy = async (work: Promise<SimResponse>): Promise<SimResponse> => {
    if (proxyTimeout <= 0) return work
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<SimResponse>((resolve) => {
      timer = setTimeout(() => {
        timeouts += 1
        resolve({ status: 596, data: null, message: 'Connection timed out' })
      }, proxyTimeout)
    })
    try {
      return await Promise.race([work, gaveUp])
    } finally {
      clearTimeout(timer)
    }
  }

  const unauthorized = (response: ServerResponse, reason: string): void => {
    const timer = setTimeout(() => {
      pending.delete(timer)
      send(response, { status: 401, data: null, message: reason }, false)
    }, unauthorizedDelayMs * options.speed)
    pending.add(timer)
  }

  const permissionContext = (held: readonly string[]): PermissionContext => ({
    held: new Set(held),
    async vmConfig(node, vmid) {
      const answer = await options.sim.api.handle({
        method: 'GET',
        path: `/nodes/${node}/qemu/${vmid}/config`,
        params: {},
        caller: { user: 'root@pam', via: 'in-process' },
      })
      if (answer.status !== 200 || typeof answer.data !== 'object' || answer.data === null)
        return undefined
      return Object.fromEntries(Object.entries(answer.data).map(([k, v]) => [k, String(v)]))
    },
  })

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'https://localhost')
    const method = request.method
    if (!url.pathname.startsWith(`${apiPrefix}/`)) {
      send(response, { status: 404, data: null, message: 'Not found' }, false)
      return
    }
    const auth = authenticate(request.headers.authorization, tokens)
    if (!auth.ok) {
      request.resume()
      unauthorized(response, auth.reason)
      return
    }
    const path = url.pathname.slice(apiPrefix.length)
    if (!isMethod(method)) {
      send(response, {
        status: 501,
        data: null,
        message: `Method '${method ?? ''} ${path}' not implemented`,
      })
      return
    }
    const read = await readParams(request, url)
    if (!read.ok) {
      send(response, { status: read.status, data: null, message: read.message })
      return
    }
    const fault = faults.shift()
    if (fault?.kind === 'reset') {
      request.socket.destroy()
      return
    }
    if (fault?.kind === 'status' && fault.afterDaemon !== true) {
      send(
        response,
        { status: fault.status, data: null, message: fault.message },
        fault.envelope ?? false,
      )
      return
    }
    answered += 1
    // the face checks privileges as pveproxy's handlers do (per method and per option), so the
    // core sees an unrestricted caller
    const caller: SimCaller = { user: auth.user, tokenId: auth.tokenName, via: read.via }
    if (method === 'GET' && path.replace(/\/+$/, '') === '/access/permissions') {
      send(response, accessPermissions(auth.token, read.params))
      return
    }
    const refusal = await refuseWithoutPermission(
      permissionContext(auth.token.privileges ?? allPrivileges),
      method,
      path,
      read.params,
    )
    if (refusal !== undefined) {
      send(response, refusal)
      return
    }
    const work = options.sim.api.handle({ method, path, params: read.params, caller })
    // the daemon finishes even when the proxy has given up on it
    work.catch(() => undefined)
    const answer =
      fault?.kind === 'status'
        ? await work.then(() => ({ status: fault.status, data: null, message: fault.message }))
        : await throughProxy(work)
    // a refusal imported nothing; a 596 left the daemon importing
    if (startsImport(method, path, read.params) && (answer.status === 200 || answer.status === 596))
      imports += 1
    const envelope = fault?.kind === 'status' ? (fault.envelope ?? false) : answer.status !== 596
    send(
      response,
      hideUnaudited(
        hideUnauditedBridges(answer, method, path, auth.token.privileges),
        method,
        path,
        auth.token.privileges,
      ),
      envelope,
    )
  }

  const server: Server = createServer(
    { cert: certificate.cert, key: certificate.key },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, { status: 500, data: null, message: describeError(error) })
        else res.destroy()
      })
    },
  )
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `https://${host}:${port}`,
    certificatePem: certificate.cert,
    fingerprint256: certificate.fingerprint256,
    addToken,
    injectFaults: (...more) => faults.push(...more),
    requestCount: () => answered,
    importCount: () => imports,
    proxyTimeouts: () => timeouts,
    async close() {
      for (const timer of pending) clearTimeout(timer)
      pending.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      await closed
    },
  }
}

/**
 * The network index leaves out, on PVE 9, the bridges a token may not audit (pve.md §10 note
 * 12: missing from the list, no error); the simulator grants privileges on the whole tree, so a
 * token without SDN.Audit sees none.
 */
function hideUnauditedBridges(
  answer: SimResponse,
  method: string,
  path: string,
  privileges: readonly string[] | undefined,
): SimResponse {
  if (method !== 'GET' || !/^\/nodes\/[^/]+\/network\/?$/.test(path)) return answer
  if (privileges === undefined || privileges.includes('SDN.Audit')) return answer
  if (answer.status !== 200 || !Array.isArray(answer.data)) return answer
  const data: unknown[] = answer.data
  return {
    ...answer,
    data: data.filter(
      (entry) =>
        !(
          typeof entry === 'object' &&
          entry !== null &&
          'type' in entry &&
          (entry.type === 'bridge' || entry.type === 'OVSBridge')
        ),
    ),
  }
}

/** `/cluster/resources` without what the token may not audit (see `resourcesSeenWith`). */
function hideUnaudited(
  answer: SimResponse,
  method: string,
  path: string,
  privileges: readonly string[] | undefined,
): SimResponse {
  if (method !== 'GET' || !/^\/cluster\/resources\/?$/.test(path)) return answer
  if (privileges === undefined || answer.status !== 200 || !Array.isArray(answer.data))
    return answer
  return { ...answer, data: resourcesSeenWith(answer.data, new Set(privileges)) }
}
