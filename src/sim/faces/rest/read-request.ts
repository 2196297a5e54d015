import type { IncomingMessage } from 'node:http'

import type { SimParams } from '../../api/types.js'

/** The parameters of one request, or the answer PVE gives when they cannot be read. */
export type ReadParams =
  | { ok: true; params: SimParams; via: 'rest-form' | 'rest-json' }
  | { ok: false; status: number; message: string }

const maxBodyBytes = 1024 * 1024

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += data.length
    if (size > maxBodyBytes) return undefined
    chunks.push(data)
  }
  return Buffer.concat(chunks)
}

function fromJson(text: string): SimParams | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return 'unable to parse JSON body'
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'JSON body must be an object'
  }
  const params: SimParams = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      params[key] = value
    } else if (value !== null) {
      return `parameter '${key}' must be a string, number or boolean`
    }
  }
  return params
}

/**
 * Reads parameters as pveproxy does (pve.md §6.1): the query string always; for POST and PUT a
 * form or JSON body merged over it; GET and DELETE take no body (`501 Unexpected content`).
 */
export async function readParams(request: IncomingMessage, url: URL): Promise<ReadParams> {
  const params: SimParams = Object.fromEntries(url.searchParams)
  const body = await readBody(request)
  if (body === undefined) return { ok: false, status: 413, message: 'request entity too large' }
  const method = request.method ?? 'GET'
  if (body.length === 0) return { ok: true, params, via: 'rest-form' }
  if (method === 'GET' || method === 'DELETE' || method === 'HEAD') {
    return { ok: false, status: 501, message: `Unexpected content for method '${method}'` }
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  const text = body.toString('utf8')
  if (type === 'application/json') {
    const parsed = fromJson(text)
    if (typeof parsed === 'string') return { ok: false, status: 400, message: parsed }
    return { ok: true, params: { ...params, ...parsed }, via: 'rest-json' }
  }
  if (type === 'application/x-www-form-urlencoded' || type === '' || type === undefined) {
    return {
      ok: true,
      params: { ...params, ...Object.fromEntries(new URLSearchParams(text)) },
      via: 'rest-form',
    }
  }
  return { ok: false, status: 415, message: `unsupported content type '${type}'` }
}
