import { returnedBuffer, startBufferWorker } from './buffer-worker.js'

/** Writes buffers handed to it into one file, on a thread of its own. */
export interface WriteWorker {
  /**
   * Hands `buffer` over (it is detached here meanwhile); resolves with it, back again, once its
   * first `length` bytes are written at `position`. Rejects with the write's error (ENOSPC).
   */
  write(buffer: ArrayBuffer, length: number, position: number): Promise<ArrayBuffer>
  close(): Promise<void>
}

const source = `
'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const { writeSync } = require('node:fs')
const { fd, writeBytes } = workerData
parentPort.on('message', ({ buffer, length, position }) => {
  const bytes = new Uint8Array(buffer, 0, length)
  try {
    for (let done = 0; done < length; ) {
      const size = Math.min(writeBytes, length - done)
      const written = writeSync(fd, bytes, done, size, position + done)
      if (written === 0) throw new Error('the file took no more bytes')
      done += written
    }
    parentPort.postMessage({ buffer }, [buffer])
  } catch (error) {
    const answer = { buffer, error: String(error && error.message), code: error && error.code }
    parentPort.postMessage(answer, [buffer])
  }
})
`

/**
 * Starts a thread that writes to `fd`, which the caller keeps open until `close` has resolved.
 *
 * Its writes are synchronous calls of `writeBytes` each: on this thread they cost no event-loop
 * round trip, so they can be small, and small writes matter. The kernel backs a large write with
 * large page-cache folios, which on a VM whose free memory the host has taken back cost several
 * times more to fill than the small ones curl's 16 KiB writes get.
 */
export function createWriteWorker(fd: number, writeBytes: number): WriteWorker {
  const worker = startBufferWorker('file write', source, { fd, writeBytes })
  return {
    async write(buffer, length, position) {
      return returnedBuffer('file write', await worker.ask({ buffer, length, position }))
    },
    close: () => worker.close(),
  }
}
