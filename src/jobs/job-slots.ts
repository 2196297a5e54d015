/** A place in line for a slot, as {@link JobSlots.take} reports it. */
export interface QueuePosition {
  /** 1 = next to start */
  position: number
  /** jobs holding a slot now */
  running: number
  limit: number
}

/**
 * At most `limit` holders at once; the rest wait first come, first served. A waiter hears its
 * place when it joins the line and each time the line moves, and leaves it when its signal aborts.
 */
export interface JobSlots {
  /** Resolves with the function that frees the slot; rejects with the signal's reason on abort. */
  take(signal: AbortSignal, onWaiting: (place: QueuePosition) => void): Promise<() => void>
}

interface Waiter {
  admit: () => void
  onWaiting: (place: QueuePosition) => void
}

export function createJobSlots(limit: number): JobSlots {
  let running = 0
  const line: Waiter[] = []

  const free = (): void => {
    const next = line.shift()
    if (next === undefined) {
      running -= 1
      return
    }
    next.admit()
    line.forEach((waiter, index) => {
      waiter.onWaiting({ position: index + 1, running, limit })
    })
  }
  const once = (): (() => void) => {
    let done = false
    return () => {
      if (done) return
      done = true
      free()
    }
  }

  return {
    async take(signal, onWaiting) {
      signal.throwIfAborted()
      if (running < limit) {
        running += 1
        return once()
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          admit: () => {
            signal.removeEventListener('abort', leave)
            resolve()
          },
          onWaiting,
        }
        const leave = (): void => {
          const index = line.indexOf(waiter)
          if (index >= 0) line.splice(index, 1)
          line.slice(Math.max(index, 0)).forEach((behind, offset) => {
            behind.onWaiting({ position: index + offset + 1, running, limit })
          })
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
        }
        line.push(waiter)
        signal.addEventListener('abort', leave, { once: true })
        onWaiting({ position: line.length, running, limit })
      })
      return once()
    },
  }
}
