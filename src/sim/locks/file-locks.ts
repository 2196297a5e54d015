import { PveDieError } from '../api/errors.js'

interface Waiter {
  shared: boolean
  grant: () => void
  timer?: ReturnType<typeof setTimeout>
}

interface LockState {
  /** an exclusive holder has it */
  exclusive: boolean
  /** how many shared holders have it */
  sharedHolders: number
  queue: Waiter[]
}

export type Release = () => void

export interface AcquireOptions {
  /** how long to wait (ms, already scaled); Infinity waits forever */
  timeoutMs: number
  /**
   * `flock(LOCK_SH)`: any number of shared holders at once, none while an exclusive one holds
   * it (pve-common's `lock_file_full` with `$shared`, used by `lock_config_shared`)
   */
  shared?: boolean
  /** called once when the lock is busy and the caller starts waiting */
  onWait?: () => void
  signal?: AbortSignal
  /**
   * what a wait that ends without the lock dies with, when it is not a flock's `can't lock file
   * '<path>' - got timeout` / `- interrupted by signal` (a pmxcfs lock words them its own way)
   */
  messages?: { timeout: string; interrupted: string }
}

/** The path of a VM's config flock (pve.md §0.4). */
export const vmLockPath = (vmid: number): string => `/var/lock/qemu-server/lock-${vmid}.conf`
/** The path of a non-shared storage's allocation lock. */
export const storageLockPath = (storeid: string): string =>
  `/var/lock/pve-manager/pve-storage-${storeid}`

/**
 * `flock` with a wait limit, per node: an exclusive holder, or any number of shared ones; later
 * callers queue in order and give up with `can't lock file '<path>' - got timeout`. A shared
 * request is granted at once while only shared holders have the lock, as flock(2) does.
 */
export class FileLocks {
  readonly #locks = new Map<string, LockState>()

  async acquire(node: string, path: string, options: AcquireOptions): Promise<Release> {
    const key = `${node}\u0000${path}`
    let state = this.#locks.get(key)
    if (!state) {
      state = { exclusive: false, sharedHolders: 0, queue: [] }
      this.#locks.set(key, state)
    }
    const lock = state
    const shared = options.shared === true
    const free = (wantShared: boolean): boolean =>
      !lock.exclusive && (wantShared || lock.sharedHolders === 0)
    const take = (wantShared: boolean): void => {
      if (wantShared) lock.sharedHolders += 1
      else lock.exclusive = true
    }
    const grantWaiting = (): void => {
      for (
        let next = lock.queue[0];
        next !== undefined && free(next.shared);
        next = lock.queue[0]
      ) {
        lock.queue.shift()
        if (next.timer !== undefined) clearTimeout(next.timer)
        take(next.shared)
        next.grant()
      }
      if (!lock.exclusive && lock.sharedHolders === 0 && lock.queue.length === 0)
        this.#locks.delete(key)
    }
    const releaseFor =
      (heldShared: boolean): Release =>
      () => {
        if (heldShared) lock.sharedHolders -= 1
        else lock.exclusive = false
        grantWaiting()
      }
    if (free(shared)) {
      take(shared)
      return once(releaseFor(shared))
    }
    options.onWait?.()
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        shared,
        grant: () => {
          options.signal?.removeEventListener('abort', onAbort)
          resolve(once(releaseFor(shared)))
        },
      }
      const leave = (error: Error): void => {
        const index = lock.queue.indexOf(waiter)
        if (index >= 0) lock.queue.splice(index, 1)
        if (waiter.timer !== undefined) clearTimeout(waiter.timer)
        options.signal?.removeEventListener('abort', onAbort)
        // a shared request behind this one may be grantable now
        grantWaiting()
        reject(error)
      }
      const onAbort = (): void => {
        leave(
          new PveDieError(
            options.messages?.interrupted ?? `can't lock file '${path}' - interrupted by signal`,
          ),
        )
      }
      if (Number.isFinite(options.timeoutMs)) {
        waiter.timer = setTimeout(() => {
          leave(
            new PveDieError(options.messages?.timeout ?? `can't lock file '${path}' - got timeout`),
          )
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
