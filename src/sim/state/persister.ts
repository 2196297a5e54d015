import { timings } from '../timings.js'
import { saveState } from './persistence.js'
import type { ClusterState } from './types.js'

/** Saves the state a short while after it changed (debounced), one write at a time. */
export class Persister {
  readonly #dataDir: string | undefined
  readonly #state: ClusterState
  readonly #onError: (error: unknown) => void
  #timer: ReturnType<typeof setTimeout> | undefined
  #writing: Promise<void> = Promise.resolve()

  constructor(dataDir: string | undefined, state: ClusterState, onError: (error: unknown) => void) {
    this.#dataDir = dataDir
    this.#state = state
    this.#onError = onError
  }

  schedule(): void {
    if (this.#dataDir === undefined || this.#timer !== undefined) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.#write()
    }, timings.persistDebounceMs)
    this.#timer.unref()
  }

  /** Writes now (cancelling a scheduled write) and waits for it. */
  async flush(): Promise<void> {
    if (this.#dataDir === undefined) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#write()
  }

  #write(): Promise<void> {
    const dir = this.#dataDir
    if (dir === undefined) return Promise.resolve()
    this.#writing = this.#writing.then(() => saveState(dir, this.#state)).catch(this.#onError)
    return this.#writing
  }
}
