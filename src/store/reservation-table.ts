import type { Database } from 'better-sqlite3'

/**
 * VMIDs held by installs in flight (the install pipeline's `ReservationStore` port). Rows are
 * mirrored in memory, since the install's free-VMID search asks about every candidate and this
 * process is the database's only writer.
 */
export interface ReservationTable {
  /** Holds `vmid` for `owner`; false when someone holds it already. */
  reserve(vmid: number, owner: string): boolean
  release(vmid: number, owner: string): void
  reserved(): ReadonlyMap<number, string>
  /** Releases everything `owner` holds; returns the VMIDs it held. */
  releaseOwner(owner: string): number[]
}

export function createReservationTable(db: Database, now: () => Date): ReservationTable {
  const insert = db.prepare<[number, string, string]>(
    'INSERT OR IGNORE INTO vmid_reservations (vmid, owner, reserved_at) VALUES (?, ?, ?)',
  )
  const remove = db.prepare<[number, string]>(
    'DELETE FROM vmid_reservations WHERE vmid = ? AND owner = ?',
  )
  const held = new Map(
    db
      .prepare<[], { vmid: number; owner: string }>('SELECT vmid, owner FROM vmid_reservations')
      .all()
      .map((row) => [row.vmid, row.owner] as const),
  )
  return {
    reserve(vmid, owner) {
      if (insert.run(vmid, owner, now().toISOString()).changes === 0) return false
      held.set(vmid, owner)
      return true
    },
    release(vmid, owner) {
      remove.run(vmid, owner)
      if (held.get(vmid) === owner) held.delete(vmid)
    },
    reserved: () => held,
    releaseOwner(owner) {
      const vmids = [...held].filter(([, holder]) => holder === owner).map(([vmid]) => vmid)
      for (const vmid of vmids) this.release(vmid, owner)
      return vmids
    },
  }
}
