import { request, type Agent } from 'node:https'

import { PveConnectionError, type ConnectionFailure } from './errors.js'
import { FingerprintMismatchError, createTlsAgent, type TlsTrust } from './tls-trust.js'
import type { PveApiParams, PveApiRequest, PveApiResponse, PveApiTransport } from './transport.js'

export interface HttpsTransportOptions {
  /** the API's origin, `https://<host>:8006` (a trailing `/api2/json` is accepted) */
  url: string
  /** `user@realm!tokenname` */
  tokenId: string
  /** the token's secret; only `reveal()` is called, when a header is built */
  tokenSecret: { reveal(): string }
  tls: TlsTrust
  /** longest wait for an answer's headers, ms (default 60 s: some PVE calls are slow to start) */
  timeoutMs?: number
}

export interface HttpsTransport extends PveApiTransport {
  /** `https://host:8006/api2/json` */
  readonly baseUrl: string
  close(): Promise<void>
}

const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
])

/** The API base of a configured URL: scheme, host and port, then `/api2/json`. */
export function apiBaseUrl(url: string): string {
  const parsed = new URL(url)
  return `${parsed.protocol}//${parsed.host}/api2/json`
}

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ('code' in e && typeof e.code === 'string') return e.code
  }
  return undefined
}

function classifyFailure(error: unknown): ConnectionFailure {
  const code = errorCode(error) ?? ''
  if (error instanceof FingerprintMismatchError || tlsCodes.has(code)) return 'tls'
  if (code === 'ECONNREFUSED') return 'refused'
  // Node calls a connection closed before the answer "socket hang up", code ECONNRESET
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset'
  if (code === 'ETIMEDOUT') return 'timeout'
  return 'other'
}

function describeFailure(error: unknown, failure: ConnectionFailure): string {
  const text = error instanceof Error ? error.message : String(error)
  if (failure !== 'tls') return text
  return (
    `${text}; the node's certificate is not trusted: set PVE_CA_FILE to the cluster's CA ` +
    `(/etc/pve/pve-root-ca.pem) or pin PVE_TLS_FINGERPRINT (pvenode cert info)`
  )
}

function formBody(params: PveApiParams): string {
  const body = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) body.set(key, String(value))
  return body.toString()
}

function readStringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) out[key] = String(item)
  return out
}

/** The envelope's fields, or undefined when the body is not PVE's JSON envelope. */
function readEnvelope(
  text: string,
): { data: unknown; message?: string; errors?: Record<string, string> } | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof body !== 'object' || body === null || !('data' in body)) return undefined
  const message =
    'message' in body && typeof body.message === 'string' ? body.message.trim() : undefined
  const errors = 'errors' in body ? readStringRecord(body.errors) : undefined
  return {
    data: body.data,
    ...(message === undefined || message === '' ? {} : { message }),
    ...(errors === undefined ? {} : { errors }),
  }
}

/**
 * A PveApiTransport over Proxmox's HTTPS API with an API token (pve.md §6.1): form-encoded
 * bodies for POST and PUT, parameters in the query for GET and DELETE, the error text from the
 * body's `message` or else the reason phrase. It does not retry; wrap it with
 * `createRetryingTransport`. Failures without an answer are PveConnectionErrors.
 *
 * @example
 * const transport = createHttpsTransport({ url: 'https://10.0.0.2:8006', tokenId, tokenSecret,
 *   tls: { kind: 'fingerprint', sha256: 'AB:CD:...' } })
 */
export function createHttpsTransport(options: HttpsTransportOptions): HttpsTransport {
  const baseUrl = apiBaseUrl(options.url)
  const agent = createTlsAgent(options.tls)
  const timeoutMs = options.timeoutMs ?? 60_000

  return {
    user: options.tokenId,
    baseUrl,
    async request(req: PveApiRequest): Promise<PveApiResponse> {
      const url = new URL(`${baseUrl}${req.path}`)
      const params = req.params ?? {}
      const inQuery = req.method === 'GET' || req.method === 'DELETE'
      if (inQuery) {
        for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value))
      }
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: `PVEAPIToken=${options.tokenId}=${options.tokenSecret.reveal()}`,
      }
      const body = inQuery ? undefined : formBody(params)
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded'
        headers['content-length'] = String(Buffer.byteLength(body))
      }
      let answer: RawAnswer
      try {
        answer = await send(
          url,
          { method: req.method, headers, body, agent, timeoutMs },
          req.signal,
        )
      } catch (error) {
        req.signal?.throwIfAborted()
        const failure = classifyFailure(error)
        throw new PveConnectionError(
          failure,
          `${req.method} ${url.origin}${url.pathname} failed: ${describeFailure(error, failure)}`,
          { cause: error },
        )
      }
      const envelope = readEnvelope(answer.text)
      const { status } = answer
      const message = envelope?.message ?? (answer.statusText || undefined)
      return {
        status,
        data: envelope?.data ?? null,
        ...(status === 200 || message === undefined ? {} : { message }),
        ...(envelope?.errors === undefined ? {} : { errors: envelope.errors }),
        ...(envelope === undefined ? { noEnvelope: true } : {}),
      }
    },
    close: async () => {
      agent.destroy()
    },
  }
}

interface RawAnswer {
  status: number
  statusText: string
  text: string
}

interface SendOptions {
  method: string
  headers: Record<string, string>
  body: string | undefined
  agent: Agent
  /** longest silence while waiting for the answer or its body */
  timeoutMs: number
}

/** No byte of the answer came for `timeoutMs`. */
class AnswerTimeoutError extends Error {
  override readonly name = 'AnswerTimeoutError'
  readonly code = 'ETIMEDOUT'
}

/**
 * One request over Node's HTTPS client: the answer's status and body as text. Rejects with
 * Node's error when no answer came (refused, reset, TLS, the signal), or an AnswerTimeoutError
 * when the node stayed silent for `timeoutMs`.
 */
function send(url: URL, options: SendOptions, signal: AbortSignal | undefined): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: options.method,
      headers: options.headers,
      agent: options.agent,
      ...(signal === undefined ? {} : { signal }),
    })
    outgoing.setTimeout(options.timeoutMs, () => {
      // rejected first: the destroy also fails the answer's body with a reset, which is not
      // what happened
      const silence = new AnswerTimeoutError(`no answer for ${options.timeoutMs} ms`)
      reject(silence)
      outgoing.destroy(silence)
    })
    // `on`, not `once`: a second error after the first must not go unhandled
    outgoing.on('error', reject)
    outgoing.once('response', (incoming) => {
      let text = ''
      incoming.setEncoding('utf8')
      incoming.on('data', (chunk: string) => {
        text += chunk
      })
      incoming.on('error', reject)
      incoming.once('end', () => {
        resolve({
          status: incoming.statusCode ?? 0,
          statusText: incoming.statusMessage ?? '',
          text,
        })
      })
    })
    outgoing.end(options.body)
  })
}
