import { CliError, exitCodes } from '../errors.js'

export interface ApiClientOptions {
  /** the service's base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string
  /** sent as `Authorization: Bearer` when set */
  token?: string | undefined
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  /** sent as JSON */
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
}

/** Talks to the pve-qemu HTTP API; every failure becomes a {@link CliError} that says what to do. */
export interface ApiClient {
  readonly baseUrl: string
  /** the raw response of a successful request (status < 400) */
  request(path: string, options?: RequestOptions): Promise<Response>
  getJson(path: string, options?: RequestOptions): Promise<unknown>
  text(path: string, options?: RequestOptions): Promise<string>
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
    throw new CliError(
      'CLI_BAD_URL',
      `PVE_QEMU_URL: "${options.baseUrl}" is not an http(s) URL, e.g. http://127.0.0.1:8080`,
      { exitCode: 2 },
    )
  }

  async function request(path: string, init: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      })
    } catch (error) {
      if (init.signal?.aborted === true) throw error
      throw new CliError(
        'CLI_UNREACHABLE',
        `cannot reach pve-qemu at ${baseUrl} (${networkReason(error)}); is it running? set PVE_QEMU_URL to its address`,
        { cause: error, exitCode: exitCodes.unreachable },
      )
    }
    if (response.status >= 400) throw await errorFrom(response)
    return response
  }

  return {
    baseUrl,
    request,
    async getJson(path, init) {
      const response = await request(path, init)
      const body = await response.text()
      try {
        return JSON.parse(body) as unknown
      } catch (error) {
        throw new CliError(
          'CLI_BAD_ANSWER',
          `${path} did not answer JSON; is PVE_QEMU_URL a pve-qemu service?`,
          {
            cause: error,
            exitCode: exitCodes.unreachable,
          },
        )
      }
    },
    async text(path, init) {
      const response = await request(path, init)
      return (await response.text()).trim()
    },
  }
}

/** The service's own message for a failed request: plain text, or `message` of a JSON body. */
async function errorFrom(response: Response): Promise<CliError> {
  const body = (await response.text()).trim()
  let message = body
  let code = `HTTP_${response.status}`
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      const parsed: unknown = JSON.parse(body)
      if (typeof parsed === 'object' && parsed !== null) {
        if ('message' in parsed && typeof parsed.message === 'string') message = parsed.message
        if ('code' in parsed && typeof parsed.code === 'string') code = parsed.code
      }
    } catch {
      // not JSON after all: the text is the message
    }
  }
  if (response.status === 401) {
    return new CliError(
      'CLI_UNAUTHORIZED',
      `the service needs a valid API token (${message || 'unauthorized'}); set PVE_QEMU_TOKEN`,
      { status: 401 },
    )
  }
  return new CliError(code, message === '' ? `HTTP ${response.status}` : message, {
    status: response.status,
  })
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined
  if (typeof cause === 'object' && cause !== null && 'code' in cause) return String(cause.code)
  return error instanceof Error ? error.message : String(error)
}
