/** The status line and headers of an HTTP/1.1 response. */
export interface ResponseHead {
  statusCode: number
  /** the reason phrase; empty when the server sent none */
  statusText: string
  /** lower-case names; a repeated header's values joined with ", " */
  headers: Readonly<Record<string, string>>
}

/** How the end of a response body is known (RFC 9112 §6.3). */
export type BodyFraming =
  | { kind: 'length'; bytes: number }
  | { kind: 'chunked' }
  /** the body runs until the server closes the connection */
  | { kind: 'close' }

const statusLine = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?$/
const headerLine = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/

/**
 * Parses a response head: the status line and header lines, without the blank line that ends
 * it. Throws on anything that is not HTTP/1.x, naming the line.
 */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  const first = lines[0] ?? ''
  const status = statusLine.exec(first)
  if (status === null) throw new Error(`not an HTTP/1.x status line: ${quote(first)}`)
  const headers: Record<string, string> = {}
  let last: string | undefined
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      // An obsolete folded line continues the header above it.
      headers[last] = `${headers[last] ?? ''} ${line.trim()}`
      continue
    }
    const header = headerLine.exec(line)
    const name = header?.[1]?.toLowerCase()
    if (header === null || name === undefined)
      throw new Error(`malformed header line ${quote(line)}`)
    const value = header[2] ?? ''
    const before = headers[name]
    headers[name] = before === undefined ? value : `${before}, ${value}`
    last = name
  }
  return { statusCode: Number(status[1]), statusText: status[2] ?? '', headers }
}

/**
 * How the body of a response to GET ends: chunked when Transfer-Encoding ends in chunked, else
 * at the close when Transfer-Encoding is set at all, else after Content-Length bytes, else at
 * the close. A Content-Length that is not one number is refused, as undici does.
 */
export function bodyFraming(head: ResponseHead): BodyFraming {
  const transfer = head.headers['transfer-encoding']
  if (transfer !== undefined) {
    const codings = transfer.split(',').map((coding) => coding.trim().toLowerCase())
    return codings.at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' }
  }
  const length = head.headers['content-length']
  if (length === undefined) return { kind: 'close' }
  const values = new Set(length.split(',').map((value) => value.trim()))
  const [only] = values
  if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new Error(`invalid Content-Length ${quote(length)}`)
  }
  return { kind: 'length', bytes: Number(only) }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)
}
