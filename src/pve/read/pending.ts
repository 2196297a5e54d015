import type { PendingEntry } from '../cluster.js'
import { asArray, asObject, optionalNumber, optionalString } from './json-values.js'

/**
 * Reads `GET /nodes/{node}/qemu/{vmid}/pending` (REST `data` or `pvesh get ... --output-format
 * json`): a list of `{key, value?, pending?, delete?}`; values come as strings or numbers, as
 * Perl held them (pve.md §1.2), and are kept as text.
 */
export function readVmPending(data: unknown): PendingEntry[] {
  return asArray(data, 'VM pending list').map((item) => {
    const entry = asObject(item, 'VM pending entry')
    const key = optionalString(entry, 'key') ?? ''
    const value = optionalString(entry, 'value')
    const pending = optionalString(entry, 'pending')
    const deleted = (optionalNumber(entry, 'delete') ?? 0) > 0
    return {
      key,
      ...(value === undefined ? {} : { value }),
      ...(pending === undefined ? {} : { pending }),
      ...(deleted ? { delete: true } : {}),
    }
  })
}

/** The keys a running VM is waiting to apply at its next cold start, with their new values
 * (`null` for a key to be deleted). */
export function pendingChanges(entries: readonly PendingEntry[]): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const entry of entries) {
    if (entry.delete === true) out[entry.key] = null
    else if (entry.pending !== undefined) out[entry.key] = entry.pending
  }
  return out
}
