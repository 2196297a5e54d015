import { StringDecoder } from 'node:string_decoder'

/** Default cap on what one stream keeps: enough for any qm/pvesh output we parse. */
export const defaultMaxOutputChars = 4 * 1024 * 1024

/**
 * Collects one output stream: decodes UTF-8 across chunk boundaries, hands each complete line to
 * `onLine` as it arrives, and keeps the text (only its tail once it grows past `maxChars`).
 */
export class OutputCollector {
  readonly #decoder = new StringDecoder('utf8')
  readonly #onLine: ((line: string) => void) | undefined
  readonly #maxChars: number
  #text = ''
  #pending = ''

  constructor(onLine?: (line: string) => void, maxChars = defaultMaxOutputChars) {
    this.#onLine = onLine
    this.#maxChars = maxChars
  }

  /** Feeds one chunk of raw output. */
  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk)
    this.#append(text)
  }

  /** Flushes a last line that had no newline; returns the collected text. */
  end(): string {
    this.#append(this.#decoder.end())
    if (this.#pending !== '') {
      this.#emit(this.#pending)
      this.#pending = ''
    }
    return this.#text
  }

  #append(text: string): void {
    if (text === '') return
    this.#text += text
    if (this.#text.length > this.#maxChars) this.#text = this.#text.slice(-this.#maxChars)
    if (this.#onLine === undefined) return
    const parts = (this.#pending + text).split('\n')
    this.#pending = parts.pop() ?? ''
    for (const line of parts) this.#emit(line)
    // A stream that never prints a newline must not grow without bound either.
    if (this.#pending.length > this.#maxChars) {
      this.#emit(this.#pending)
      this.#pending = ''
    }
  }

  #emit(line: string): void {
    this.#onLine?.(line.endsWith('\r') ? line.slice(0, -1) : line)
  }
}
