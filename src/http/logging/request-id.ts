import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The header a request id is taken from and answered in. */
export const requestIdHeader = 'x-request-id'

const acceptable = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * The id every log line of a request carries: the caller's `X-Request-Id` when it is a short
 * token (so a proxy's id follows the request through), otherwise a fresh UUID. Anything else
 * in the header is ignored, so a caller cannot write arbitrary text into the logs.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[requestIdHeader]
  const value = Array.isArray(given) ? given[0] : given
  return value !== undefined && acceptable.test(value) ? value : randomUUID()
}
