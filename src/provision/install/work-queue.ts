import { AppError } from '../../errors.js'

/**
 * A FIFO gate per key (a storage on a node): at most `concurrency` holders at once, the rest wait
 * in order and are told their place, so parallel installs queue instead of fighting for
 * Proxmox's storage lock until it times out.
 */
export interface WorkQueue {
  /** Waits for a turn; `onQueued` hears the position (1 = next) when it has to wait. */
  enter(
    key: string,
    options: { signal?: AbortSignal; onQueued?: (position: number) => void },
  ): Promise<() => void>
}

export function createWorkQueue(concurrency: number): WorkQueue {
  const active = new Map<string, number>()
  const waiting = new Map<string, (() => void)[]>()

  const leave = (key: string): void => {
    const next = waiting.get(key)?.shift()
    if (next !== undefined) {
      next()
      return
    }
    active.set(key, (active.get(key) ?? 1) - 1)
  }

  return {
    async enter(key, options) {
      if ((active.get(key) ?? 0) < concurrency) {
        active.set(key, (active.get(key) ?? 0) + 1)
        return once(() => leave(key))
      }
      const queue = waiting.get(key) ?? []
      waiting.set(key, queue)
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          options.signal?.removeEventListener('abort', onAbort)
          resolve()
        }
        const onAbort = (): void => {
          const index = queue.indexOf(turn)
          if (index >= 0) queue.splice(index, 1)
          reject(new AppError('INSTALL_CANCELLED', 'cancelled while waiting in the queue'))
        }
        queue.push(turn)
        options.signal?.addEventListener('abort', onAbort, { once: true })
        options.onQueued?.(queue.length)
      })
      return once(() => leave(key))
    },
  }
}

function once(action: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    action()
  }
}
