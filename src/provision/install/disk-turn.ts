import type { StepHandle } from '../progress.js'
import type { InstallContext } from './context.js'
import { retryOnLockTimeout } from './retry.js'

/**
 * Runs a disk operation in its storage's queue and retries Proxmox lock timeouts with backoff,
 * telling the user about both.
 */
export async function withDiskTurn<T>(
  ctx: InstallContext,
  step: StepHandle,
  work: () => Promise<T>,
): Promise<T> {
  const leave = await ctx.deps.storageQueue.enter(`${ctx.createNode}/${ctx.storage}`, {
    signal: ctx.signal,
    onQueued: (position) =>
      step.processing(`waiting for storage ${ctx.storage}: position ${position} in the queue`),
  })
  try {
    return await retryOnLockTimeout(work, {
      ...ctx.deps.lockRetry,
      signal: ctx.signal,
      onRetry: (attempt, delayMs, error) =>
        step.processing(`${error.message}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s`),
    })
  } finally {
    leave()
  }
}
