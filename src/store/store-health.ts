import { describeError } from '../errors.js'
import { StoreError } from './errors.js'

/** Whether the store could write the last time it tried. */
export interface StoreHealthState {
  writable: boolean
  /** why the last write failed, while it is failing */
  error?: string
  /** when writes began to fail */
  since?: string
}

/**
 * Watches the store's writes: a write that fails (disk full, I/O error, read-only file) marks
 * the store unwritable until a later write succeeds. Table methods that write go through
 * {@link StoreHealth.guard}, which turns SQLite's error into a `STORE_WRITE_FAILED` naming the file.
 */
export interface StoreHealth {
  state(): StoreHealthState
  guard<T>(work: () => T): T
}

export function createStoreHealth(path: string, now: () => Date): StoreHealth {
  let current: StoreHealthState = { writable: true }
  return {
    state: () => ({ ...current }),
    guard(work) {
      try {
        const result = work()
        if (!current.writable) current = { writable: true }
        return result
      } catch (error) {
        if (!isWriteFailure(error)) throw error
        const message = `cannot write ${path}: ${describeError(error)}`
        if (current.writable) current = { writable: false, since: now().toISOString() }
        current.error = message
        throw new StoreError('STORE_WRITE_FAILED', message, { cause: error })
      }
    },
  }
}

/** SQLite's answers for "the file cannot take this write": full, I/O, read-only, gone. */
function isWriteFailure(error: unknown): boolean {
  if (error instanceof StoreError) return error.code === 'STORE_WRITE_FAILED'
  if (typeof error !== 'object' || error === null || !('code' in error)) return false
  const { code } = error
  return (
    typeof code === 'string' &&
    /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED)/.test(code)
  )
}

/**
 * The same object with each named method run through `health.guard`. Only methods that write
 * are named: a failing read says nothing about the disk.
 */
export function guardWrites<T extends object>(
  table: T,
  writes: readonly (keyof T & string)[],
  health: StoreHealth,
): T {
  const guarded: Record<string, unknown> = {}
  for (const name of writes) {
    const method: unknown = table[name]
    if (typeof method !== 'function') continue
    guarded[name] = (...args: unknown[]): unknown =>
      health.guard((): unknown => Reflect.apply(method, table, args) as unknown)
  }
  return { ...table, ...guarded }
}
