const redacted = '[redacted]'

/**
 * A value that must not be printed: string conversion, JSON and `util.inspect` all show
 * `[redacted]`, so a stray log line or error message cannot leak it. Only `reveal()` returns it,
 * which makes every real use easy to find.
 *
 * @example
 * const password = new Secret('hunter2')
 * `${password}` // '[redacted]'
 * password.reveal() // 'hunter2'
 */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The value itself; call it only where the value is handed to its one consumer. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return redacted
  }

  toJSON(): string {
    return redacted
  }

  [Symbol.toPrimitive](): string {
    return redacted
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return redacted
  }
}
