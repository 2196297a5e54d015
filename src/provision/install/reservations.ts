/**
 * VMIDs (and so IPs) held by installs in flight, so two installs never get one address, in one
 * process or across a restart (the SQLite store implements it; this file keeps the port).
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
