import { request } from 'node:https'

export interface RawAnswer {
  status: number
  reason: string
  type: string
  text: string
  /** the body parsed, when it is JSON */
  json: unknown
}

export interface RawRequest {
  method: string
  url: string
  /** the CA to trust (the face's own certificate) */
  ca: string
  headers?: Record<string, string>
  body?: string
}

/** One HTTPS request with nothing in between: status line, headers and body as sent. */
export function rawRequest(options: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      options.url,
      {
        method: options.method,
        ca: options.ca,
        headers: {
          ...options.headers,
          ...(options.body === undefined
            ? {}
            : { 'content-length': String(Buffer.byteLength(options.body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            type: res.headers['content-type'] ?? '',
            text,
            json,
          })
        })
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}
