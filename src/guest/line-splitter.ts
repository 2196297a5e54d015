import { StringDecoder } from 'node:string_decoder'

/** Longest line delivered whole; a longer run without a newline is cut into pieces this long. */
export const maxLineLength = 4096

/**
 * Turns a byte stream into text lines as the bytes arrive: UTF-8 characters split across
 * chunks stay whole, `\r\n` counts as one line end, and `flush()` hands over an unfinished
 * last line.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8')
  #pending = ''

  push(chunk: Buffer): string[] {
    return this.#take(this.#pending + this.#decoder.write(chunk))
  }

  flush(): string[] {
    const rest = this.#pending + this.#decoder.end()
    this.#pending = ''
    return rest === '' ? [] : [stripCarriageReturn(rest)]
  }

  #take(text: string): string[] {
    const parts = text.split('\n')
    let pending = parts.pop() ?? ''
    const lines = parts.map(stripCarriageReturn)
    while (pending.length > maxLineLength) {
      lines.push(pending.slice(0, maxLineLength))
      pending = pending.slice(maxLineLength)
    }
    this.#pending = pending
    return lines
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line
}
