import type { AddressBook } from './address-book.js'

/** Options of {@link reconcileInBackground}. */
export interface BackgroundReconcileOptions {
  /** told of each failed read; the next try follows after `retryMs` */
  warn: (fields: Record<string, unknown>, message: string) => void
  /** wait before another try after a failure (default 30 s) */
  retryMs?: number
}

/**
 * The start-up reconciliation, off the start's path so `/api/health` answers at once: reads the
 * cluster once, and on failure (a node down, the API not answering) logs it and tries again
 * later until it succeeds. A hold on a static pool does not wait for this loop: it reads the
 * cluster itself if no read has succeeded yet. Returns the stop function for close.
 */
export function reconcileInBackground(
  book: Pick<AddressBook, 'reconcile'>,
  options: BackgroundReconcileOptions,
): () => void {
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const attempt = async (): Promise<void> => {
    try {
      await book.reconcile(controller.signal)
    } catch (error) {
      if (controller.signal.aborted) return
      const retryMs = options.retryMs ?? 30_000
      options.warn({ err: error, retryMs }, 'reading the addresses VMs use failed; retrying')
      timer = setTimeout(() => void attempt(), retryMs)
      timer.unref()
    }
  }
  void attempt()
  return () => {
    controller.abort()
    clearTimeout(timer)
  }
}
