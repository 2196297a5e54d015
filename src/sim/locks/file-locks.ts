import { PveDieError } from '../api/errors.js'

interface Waiter {
  grant: () => void
  timer?: ReturnType<typeof setTimeout>
}

interface LockState {
  held: boolean
  queue: Waiter[]
}

export type Release = () => void

export interface AcquireOptions {
  /** how long to wait (ms, already scaled); Infinity waits forever */
  timeoutMs: number
  /** called once when the lock is busy and the caller starts waiting */
  onWait?: () => void
  signal?: AbortSignal
}

/** The path of a VM's config flock (pve.md §0.4). */
export const vmLockPath = (vmid: number): string => `/var/lock/qemu-server/lock-${vmid}.conf`
/** The path of a non-shared storage's allocation lock. */
export const storageLockPath = (storeid: string): string =>
  `/var/lock/pve-manager/pve-storage-${storeid}`

/**
 * `flock` with a wait limit, per node: the first caller holds the lock, later ones queue in
 * order and give up with `can't lock file '<path>' - got timeout`.
 */
export class FileLocks {
  readonly #locks = new Map<string, LockState>()

  async acquire(node: string, path: string, options: AcquireOptions): Promise<Release> {
    const key = `${node}\u0000${path}`
    let state = this.#locks.get(key)
    if (!state) {
      state = { held: false, queue: [] }
      this.#locks.set(key, state)
    }
    const lock = state
    const release: Release = () => {
      const next = lock.queue.shift()
      if (next) {
        if (next.timer !== undefined) clearTimeout(next.timer)
        next.grant()
      } else {
        lock.held = false
        this.#locks.delete(key)
      }
    }
    if (!lock.held) {
      lock.held = true
      return once(release)
    }
    options.onWait?.()
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          options.signal?.removeEventListener('abort', onAbort)
          resolve(once(release))
        },
      }
      const leave = (error: Error): void => {
        const index = lock.queue.indexOf(waiter)
        if (index >= 0) lock.queue.splice(index, 1)
        if (waiter.timer !== undefined) clearTimeout(waiter.timer)
        options.signal?.removeEventListener('abort', onAbort)
        reject(error)
      }
      const onAbort = (): void => {
        leave(new PveDieError(`can't lock file '${path}' - interrupted by signal`))
      }
      if (Number.isFinite(options.timeoutMs)) {
        waiter.timer = setTimeout(() => {
          leave(new PveDieError(`can't lock file '${path}' - got timeout`))
        }, options.timeoutMs)
      }
      options.signal?.addEventListener('abort', onAbort, { once: true })
      lock.queue.push(waiter)
    })
  }
}

function once(release: Release): Release {
  let done = false
  return () => {
    if (done) return
    done = true
    release()
  }
}
