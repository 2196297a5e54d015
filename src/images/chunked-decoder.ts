/** Takes a chunked body (RFC 9112 §7.1) in pieces split anywhere, and gives out its data. */
export interface ChunkedDecoder {
  /**
   * Decodes `input`, passing each run of body data to `onData` (a view into `input`). Throws on
   * a malformed body; bytes after the end of the body are ignored.
   */
  push(input: Uint8Array, onData: (data: Uint8Array) => void): void
  /** true once the last chunk and the trailer section have been read */
  readonly ended: boolean
}

const cr = 0x0d
const lf = 0x0a
/** a size line or trailer line longer than this is not one a server meant */
const maxLineBytes = 4096
const sizeLine = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'ended'

/** A decoder for one chunked body. */
export function createChunkedDecoder(): ChunkedDecoder {
  let state: State = 'size'
  let line = ''
  let remaining = 0
  let sawCr = false

  // Lines end at LF; a CR before it is dropped, and a lone LF is accepted as Node's parser does.
  const takeLine = (input: Uint8Array, from: number): { line: string; next: number } | number => {
    const end = input.indexOf(lf, from)
    const stop = end === -1 ? input.length : end
    line += Buffer.from(input.buffer, input.byteOffset + from, stop - from).toString('latin1')
    if (line.length > maxLineBytes) throw new Error('chunked body has an overlong line')
    if (end === -1) return input.length
    const complete = line.endsWith('\r') ? line.slice(0, -1) : line
    line = ''
    return { line: complete, next: end + 1 }
  }

  return {
    get ended() {
      return state === 'ended'
    },
    push(input, onData) {
      let at = 0
      while (at < input.length && state !== 'ended') {
        if (state === 'data') {
          const take = Math.min(remaining, input.length - at)
          onData(input.subarray(at, at + take))
          remaining -= take
          at += take
          if (remaining === 0) state = 'data-end'
          continue
        }
        if (state === 'data-end') {
          const byte = input[at]
          at += 1
          if (byte === cr && !sawCr) {
            sawCr = true
            continue
          }
          if (byte !== lf) throw new Error('chunked body has no line end after a chunk')
          sawCr = false
          state = 'size'
          continue
        }
        const taken = takeLine(input, at)
        if (typeof taken === 'number') {
          at = taken
          continue
        }
        at = taken.next
        if (state === 'trailer') {
          if (taken.line === '') state = 'ended'
          continue
        }
        const size = sizeLine.exec(taken.line)?.[1]
        if (size === undefined) {
          throw new Error(
            `chunked body has a bad size line ${JSON.stringify(taken.line.slice(0, 40))}`,
          )
        }
        remaining = Number.parseInt(size, 16)
        state = remaining === 0 ? 'trailer' : 'data'
      }
    },
  }
}
