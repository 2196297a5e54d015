import type { FileHandle } from 'node:fs/promises'

/** Writes appended chunks to a file in batches; `flush` writes what is left. */
export interface BatchedWriter {
  write(chunk: Uint8Array): Promise<void>
  flush(): Promise<void>
}

/**
 * Network chunks are small (often 16–64 KiB); one file write each costs a thread-pool round trip
 * apiece, which dominated a 1 GiB download. Batching to `batchBytes` keeps memory bounded by
 * that size and cuts the writes by an order of magnitude.
 */
export function createBatchedWriter(
  file: FileHandle,
  path: string,
  batchBytes: number,
): BatchedWriter {
  let pending: Uint8Array[] = []
  let pendingBytes = 0

  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return
    const data =
      pending.length === 1 && pending[0] !== undefined ? pending[0] : Buffer.concat(pending)
    pending = []
    pendingBytes = 0
    let offset = 0
    while (offset < data.byteLength) {
      const { bytesWritten } = await file.write(data, offset, data.byteLength - offset)
      if (bytesWritten === 0) throw new Error(`no bytes could be written to ${path}`)
      offset += bytesWritten
    }
  }

  return {
    async write(chunk) {
      pending.push(chunk)
      pendingBytes += chunk.byteLength
      if (pendingBytes >= batchBytes) await flush()
    },
    flush,
  }
}
