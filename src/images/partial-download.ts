import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'

import type { DigestAlgorithm } from './checksum-file.js'
import { header, type ResponseHeaders } from './http-request.js'

/** Where a download's bytes go until verified, and the record that makes them resumable. */
export interface PartPaths {
  /** `<image>.part` */
  part: string
  /** `<image>.part.json`: the URL and ETag the part's bytes came from */
  record: string
}

/** What `<image>.part.json` holds. */
export interface PartRecord {
  url: string
  /** a strong ETag, sent back in If-Range so a changed file is sent whole */
  etag: string
}

/** A `.part` to resume: its size, and the digest state of its bytes. */
export interface PartialDownload extends PartRecord {
  bytes: number
  hash: Hash
}

/** The `.part` and record paths of an image. */
export function partPaths(finalPath: string): PartPaths {
  return { part: `${finalPath}.part`, record: `${finalPath}.part.json` }
}

/**
 * The record to keep for a response, when the server can resume it: it takes byte ranges and
 * names this version of the file with a strong ETag (a weak one cannot be used in If-Range).
 */
export function resumableRecord(url: string, headers: ResponseHeaders): PartRecord | undefined {
  const etag = header(headers, 'etag')
  const ranges = header(headers, 'accept-ranges')
  if (etag === undefined || etag.startsWith('W/') || ranges?.toLowerCase() !== 'bytes') {
    return undefined
  }
  return { url, etag }
}

/**
 * The `.part` left by an earlier try of the same URL, hashed from disk, so the digest covers
 * exactly what the file holds. A `.part` without a record for this URL (left by a crash before
 * the record, by an older version, or for another URL) is not used: its bytes cannot be
 * trusted, and the next download overwrites it.
 */
export async function readPartial(
  paths: PartPaths,
  url: string,
  algorithm: DigestAlgorithm,
  signal: AbortSignal,
): Promise<PartialDownload | undefined> {
  const record = await readRecord(paths.record)
  if (record?.url !== url) return undefined
  const hash = createHash(algorithm)
  let bytes = 0
  try {
    for await (const chunk of createReadStream(paths.part, { signal })) {
      if (!(chunk instanceof Buffer)) continue
      hash.update(chunk)
      bytes += chunk.length
    }
  } catch (error) {
    signal.throwIfAborted()
    if (!isNotFound(error)) throw error
  }
  if (bytes === 0) return undefined
  return { ...record, bytes, hash }
}

/** Records where the `.part`'s bytes come from, before the first of them is written. */
export async function writeRecord(paths: PartPaths, record: PartRecord): Promise<void> {
  await writeFile(paths.record, `${JSON.stringify(record)}\n`)
}

/** Deletes the `.part` and its record. */
export async function removePart(paths: PartPaths): Promise<void> {
  await rm(paths.part, { force: true })
  await rm(paths.record, { force: true })
}

async function readRecord(path: string): Promise<PartRecord | undefined> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  if (!('url' in parsed) || !('etag' in parsed)) return undefined
  const { url, etag } = parsed
  return typeof url === 'string' && typeof etag === 'string' ? { url, etag } : undefined
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT'
}
