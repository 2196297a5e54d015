import { returnedBuffer, startBufferWorker } from './buffer-worker.js'
import type { DigestAlgorithm } from './checksum-file.js'

/** A digest computed on a thread of its own from buffers handed to it. */
export interface HashWorker {
  /**
   * Hands `buffer` over (it is detached here meanwhile); resolves with it, back again, once its
   * first `length` bytes are hashed after those of every buffer before.
   */
  update(buffer: ArrayBuffer, length: number): Promise<ArrayBuffer>
  /** the hex digest of everything so far; the worker takes no more after it */
  digest(): Promise<string>
  close(): Promise<void>
}

const source = `
'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const hash = require('node:crypto').createHash(workerData.algorithm)
parentPort.on('message', (task) => {
  if (task === null) {
    parentPort.postMessage({ value: hash.digest('hex') })
    return
  }
  hash.update(new Uint8Array(task.buffer, 0, task.length))
  parentPort.postMessage({ buffer: task.buffer }, [task.buffer])
})
`

/**
 * Starts a hashing thread. SHA-512 of a 1 GiB image is seconds of CPU: on its own thread it
 * overlaps with receiving and writing instead of delaying them.
 */
export function createHashWorker(algorithm: DigestAlgorithm): HashWorker {
  const name = `${algorithm} hash`
  const worker = startBufferWorker(name, source, { algorithm })
  return {
    async update(buffer, length) {
      return returnedBuffer(name, await worker.ask({ buffer, length, position: 0 }))
    },
    async digest() {
      const { value } = await worker.ask(null)
      if (typeof value !== 'string') throw new Error(`the ${name} worker gave no digest`)
      return value
    },
    close: () => worker.close(),
  }
}
