import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

import type { DigestAlgorithm } from './checksum-file.js'

/**
 * The hex digest and size of a file, read as a stream so memory stays flat whatever its size;
 * undefined when the file does not exist.
 */
export async function hashFile(
  path: string,
  algorithm: DigestAlgorithm,
  signal?: AbortSignal,
): Promise<{ digest: string; bytes: number } | undefined> {
  const hash = createHash(algorithm)
  let bytes = 0
  try {
    const stream = createReadStream(path, signal === undefined ? {} : { signal })
    for await (const chunk of stream) {
      if (!(chunk instanceof Buffer)) continue
      hash.update(chunk)
      bytes += chunk.length
    }
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
  return { digest: hash.digest('hex'), bytes }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT'
}
