import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * VMIDs (and so IPs) held by installs in flight, so two installs never get one address, in one
 * process or across a restart. The durable-jobs store takes this over later; the port stays.
 */
export interface ReservationStore {
  /** Holds `vmid` for `owner`; false when someone holds it already. */
  reserve(vmid: number, owner: string): boolean
  release(vmid: number, owner: string): void
  reserved(): ReadonlyMap<number, string>
}

/** Reservations in memory only (tests). */
export function createMemoryReservations(): ReservationStore {
  const held = new Map<number, string>()
  return {
    reserve(vmid, owner) {
      if (held.has(vmid)) return false
      held.set(vmid, owner)
      return true
    },
    release(vmid, owner) {
      if (held.get(vmid) === owner) held.delete(vmid)
    },
    reserved: () => held,
  }
}

/** Reservations kept in a JSON file, rewritten atomically on every change. */
export function createFileReservations(path: string): ReservationStore {
  const memory = createMemoryReservations()
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>
    for (const [vmid, owner] of Object.entries(saved)) memory.reserve(Number(vmid), owner)
  } catch {
    // no file yet: nothing reserved
  }
  const save = (): void => {
    mkdirSync(dirname(path), { recursive: true })
    const temporary = `${path}.tmp`
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(memory.reserved())))
    renameSync(temporary, path)
  }
  return {
    reserve(vmid, owner) {
      const ok = memory.reserve(vmid, owner)
      if (ok) save()
      return ok
    },
    release(vmid, owner) {
      memory.release(vmid, owner)
      save()
    },
    reserved: () => memory.reserved(),
  }
}
