import { abortedError } from './errors.js'

/**
 * Caps how many commands share one SSH connection at once: OpenSSH refuses channels beyond its
 * `MaxSessions` (10 by default), so extra commands wait here for a free slot instead.
 */
export class SessionSlots {
  readonly #limit: number
  readonly #target: string
  #used = 0
  readonly #waiting: (() => void)[] = []

  constructor(limit: number, target: string) {
    this.#limit = Math.max(1, limit)
    this.#target = target
  }

  /** Resolves with a release function once a slot is free; rejects when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortedError(this.#target, signal))
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      this.#used--
      this.#waiting.shift()?.()
    }
    if (this.#used < this.#limit) {
      this.#used++
      return Promise.resolve(release)
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort)
        this.#used++
        resolve(release)
      }
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant)
        if (index !== -1) this.#waiting.splice(index, 1)
        reject(abortedError(this.#target, signal))
      }
      this.#waiting.push(grant)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }
}
