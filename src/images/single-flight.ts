/**
 * One piece of work per key shared by every caller that asks while it runs. Each caller has its
 * own signal and progress listener: a caller that aborts leaves at once, and the work itself is
 * aborted only when no caller is left (that last caller is answered once the work has ended). Work for a key never overlaps work for the same key: a
 * caller arriving while abandoned work still cleans up waits for it to finish.
 */
export interface SingleFlight<T, P> {
  run(key: string, work: FlightWork<T, P>, caller: FlightCaller<P>): Promise<T>
  /** keys with work running now */
  active(): string[]
}

export type FlightWork<T, P> = (signal: AbortSignal, emit: (progress: P) => void) => Promise<T>

export interface FlightCaller<P> {
  signal?: AbortSignal | undefined
  onProgress?: ((progress: P) => void) | undefined
  /** whether this caller joined work already running, told before any progress */
  onJoin?: ((joined: boolean) => void) | undefined
}

export interface SingleFlightOptions {
  /** the error a caller gets when its own signal aborts */
  abortedError: (key: string, signal: AbortSignal) => Error
  /** a listener threw; the work goes on for the other callers */
  onListenerError: (error: unknown) => void
}

interface Flight<T, P> {
  promise: Promise<T>
  /** resolves when the work has ended, however it ended */
  settled: Promise<void>
  listeners: Set<(progress: P) => void>
  callers: number
  controller: AbortController
}

/** Creates an empty set of shared flights. */
export function createSingleFlight<T, P>(options: SingleFlightOptions): SingleFlight<T, P> {
  const joinable = new Map<string, Flight<T, P>>()
  const running = new Map<string, Flight<T, P>>()

  const start = (key: string, work: FlightWork<T, P>): Flight<T, P> => {
    const controller = new AbortController()
    const listeners = new Set<(progress: P) => void>()
    const emit = (progress: P): void => {
      for (const listener of listeners) {
        try {
          listener(progress)
        } catch (error) {
          options.onListenerError(error)
        }
      }
    }
    const previous = running.get(key)?.settled ?? Promise.resolve()
    const promise = previous.then(() => {
      controller.signal.throwIfAborted()
      return work(controller.signal, emit)
    })
    const settled = promise.then(
      () => undefined,
      () => undefined,
    )
    const flight: Flight<T, P> = { promise, settled, listeners, callers: 0, controller }
    joinable.set(key, flight)
    running.set(key, flight)
    void settled.then(() => {
      if (joinable.get(key) === flight) joinable.delete(key)
      if (running.get(key) === flight) running.delete(key)
    })
    return flight
  }

  return {
    run(key, work, caller) {
      const { signal, onProgress } = caller
      if (signal?.aborted === true) return Promise.reject(options.abortedError(key, signal))
      const existing = joinable.get(key)
      caller.onJoin?.(existing !== undefined)
      const flight = existing ?? start(key, work)
      flight.callers += 1
      // A wrapper per caller, so two callers passing the same function each get their reports.
      const listener =
        onProgress === undefined
          ? undefined
          : (progress: P) => {
              onProgress(progress)
            }
      if (listener !== undefined) flight.listeners.add(listener)

      return new Promise<T>((resolve, reject) => {
        let left = false
        const leave = (): void => {
          if (left) return
          left = true
          signal?.removeEventListener('abort', onAbort)
          if (listener !== undefined) flight.listeners.delete(listener)
          flight.callers -= 1
        }
        const onAbort = (): void => {
          leave()
          if (signal === undefined) return
          const error = options.abortedError(key, signal)
          if (flight.callers > 0) {
            reject(error)
            return
          }
          // Nobody wants the result any more: stop the work, let the next caller start afresh,
          // and answer once the work has cleaned up after itself.
          if (joinable.get(key) === flight) joinable.delete(key)
          flight.controller.abort(signal.reason)
          void flight.settled.then(() => {
            reject(error)
          })
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        flight.promise.then(
          (value) => {
            if (left) return
            leave()
            resolve(value)
          },
          (error: unknown) => {
            if (left) return
            leave()
            reject(error instanceof Error ? error : new Error(String(error)))
          },
        )
      })
    },
    active() {
      return [...running.keys()]
    },
  }
}
