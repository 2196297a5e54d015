import { sleep } from '../../lib/sleep.js'
import { PveError } from '../../pve/errors.js'

export interface RetryOptions {
  attempts: number
  baseDelayMs: number
  signal?: AbortSignal
  onRetry?: (attempt: number, delayMs: number, error: PveError) => void
}

/**
 * Runs `work`, retrying with exponential backoff and jitter while Proxmox answers `can't lock
 * file ... got timeout` — the most reported failure under parallel load (field-failures.md).
 * Any other error is final at once.
 */
export async function retryOnLockTimeout<T>(
  work: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work()
    } catch (error) {
      const retriable = error instanceof PveError && error.kind === 'lock_timeout'
      if (!retriable || attempt >= options.attempts) throw error
      const delayMs = Math.round(options.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()))
      options.onRetry?.(attempt, delayMs, error)
      await sleep(delayMs, options.signal)
    }
  }
}
