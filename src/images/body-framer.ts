import { createChunkedDecoder } from './chunked-decoder.js'
import type { BodyFraming } from './response-head.js'

/** Cuts a response body out of the bytes that follow the head, however the body is framed. */
export interface BodyFramer {
  /**
   * Passes the body data in `input` to `onData` (views into `input`). Bytes past the end of the
   * body are dropped. Throws on a malformed chunked body.
   */
  push(input: Uint8Array, onData: (data: Uint8Array) => void): void
  /** true once the body is complete; a body that runs until the close never is */
  readonly complete: boolean
}

/** A framer for one body. */
export function createBodyFramer(framing: BodyFraming): BodyFramer {
  switch (framing.kind) {
    case 'chunked':
      return createChunkedFramer()
    case 'length':
      return createLengthFramer(framing.bytes)
    case 'close':
      return {
        complete: false,
        push(input, onData) {
          if (input.length > 0) onData(input)
        },
      }
  }
}

function createChunkedFramer(): BodyFramer {
  const decoder = createChunkedDecoder()
  return {
    get complete() {
      return decoder.ended
    },
    push(input, onData) {
      decoder.push(input, onData)
    },
  }
}

function createLengthFramer(bytes: number): BodyFramer {
  let left = bytes
  return {
    get complete() {
      return left === 0
    },
    push(input, onData) {
      const take = Math.min(left, input.length)
      if (take === 0) return
      left -= take
      onData(take === input.length ? input : input.subarray(0, take))
    },
  }
}
