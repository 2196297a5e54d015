import { Worker } from 'node:worker_threads'

/** What a buffer worker's script posts back for each message, in the order of the messages. */
export interface BufferWorkerAnswer {
  /** the buffer handed over, given back */
  buffer?: unknown
  /** a result other than the buffer, such as a digest */
  value?: unknown
  /** the message of an error the script caught, and its code (ENOSPC) */
  error?: unknown
  code?: unknown
}

/** A task for the script: the buffer moves to the worker and comes back with the answer. */
export interface BufferTask {
  buffer: ArrayBuffer
  length: number
  position: number
}

/** A worker thread that takes buffers (or `null`) and answers each message in order. */
export interface BufferWorker {
  /** sends `task`; rejects when the script answers with an error or the worker dies */
  ask(task: BufferTask | null): Promise<BufferWorkerAnswer>
  /** stops the worker; pending calls reject. Safe to call more than once. */
  close(): Promise<void>
}

/**
 * Starts `source`, a CommonJS script, on a worker thread with `workerData`. The script is run
 * with `eval`: a separate file would need a build step of its own, and the TypeScript loaders
 * (tsx, vitest) do not reach into worker threads. Buffers are transferred, never copied.
 */
export function startBufferWorker(name: string, source: string, workerData: object): BufferWorker {
  const worker = new Worker(source, {
    eval: true,
    workerData,
    // The parent's flags may load a TypeScript loader; the script needs none of that.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
  })
  const waiting: { resolve: (answer: BufferWorkerAnswer) => void; reject: (e: Error) => void }[] =
    []
  let failure: Error | undefined
  let closing: Promise<void> | undefined

  const fail = (error: Error): void => {
    failure ??= error
    for (const waiter of waiting.splice(0)) waiter.reject(failure)
  }
  worker.on('message', (answer: BufferWorkerAnswer) => {
    waiting.shift()?.resolve(answer)
  })
  worker.on('error', fail)
  worker.on('exit', (code) => {
    fail(new Error(`the ${name} worker stopped (exit code ${code})`))
  })

  return {
    async ask(task) {
      if (failure !== undefined) throw failure
      const answer = await new Promise<BufferWorkerAnswer>((resolve, reject) => {
        waiting.push({ resolve, reject })
        worker.postMessage(task, task === null ? [] : [task.buffer])
      })
      if (answer.error !== undefined) throw scriptError(answer)
      return answer
    },
    close() {
      closing ??= worker.terminate().then(() => undefined)
      return closing
    },
  }
}

/** The buffer an answer gives back. */
export function returnedBuffer(name: string, answer: BufferWorkerAnswer): ArrayBuffer {
  if (answer.buffer instanceof ArrayBuffer) return answer.buffer
  throw new Error(`the ${name} worker did not give its buffer back`)
}

// Errors do not cross threads with their class; the message and code (ENOSPC) do.
function scriptError(answer: BufferWorkerAnswer): Error {
  const error = new Error(String(answer.error))
  return typeof answer.code === 'string' ? Object.assign(error, { code: answer.code }) : error
}
