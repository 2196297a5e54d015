import type { Database } from 'better-sqlite3'
import { StoreError } from './errors.js'

/** One address of a network this service holds or gave to a VM. */
export interface AddressRecord {
  readonly network: string
  /** canonical text (`10.20.1.7`, `2001:db8::7`) */
  readonly address: string
  readonly family: 4 | 6
  /** `held`: an install in flight has it; `assigned`: the VM it made has it */
  readonly state: 'held' | 'assigned'
  /** the install job holding it (kept after assignment, for the audit of who made the VM) */
  readonly owner: string | undefined
  readonly vmid: number | undefined
}

/** What {@link AddressTable.hold} writes. */
export interface AddressHold {
  network: string
  address: string
  family: 4 | 6
  owner: string
  vmid: number | undefined
}

/**
 * The network address book's rows (migration 005). Every row is mirrored in memory: the free
 * address search asks about many candidates, and this process is the database's only writer.
 */
export interface AddressTable {
  /** Holds the address for `owner`; false when a row for it exists already. */
  hold(hold: AddressHold): boolean
  /** Holds the address for `owner` whoever had it (the seed's mode: the VMID decides). */
  holdReplacing(hold: AddressHold): void
  /** Removes one hold of `owner` (an address the probe found answering). */
  drop(network: string, address: string, owner: string): void
  /** The holds of `owner` become VM `vmid`'s; returns how many. */
  assign(owner: string, vmid: number): number
  /** Frees what `owner` still holds; returns how many. */
  releaseOwner(owner: string): number
  /** Frees every address given to VM `vmid`; returns how many. */
  releaseVm(vmid: number): number
  /** Frees every hold (at start: no install survives a restart). */
  releaseAllHolds(): number
  rows(): readonly AddressRecord[]
  /** The row of one address of one network, if any (from memory). */
  find(network: string, address: string): AddressRecord | undefined
}

interface Row {
  network: string
  address: string
  family: number
  state: string
  owner: string | null
  vmid: number | null
}

export function createAddressTable(db: Database, now: () => Date): AddressTable {
  const insertOrIgnore = db.prepare<[string, string, number, string, number | null, string]>(
    `INSERT OR IGNORE INTO network_addresses (network, address, family, state, owner, vmid, since)
     VALUES (?, ?, ?, 'held', ?, ?, ?)`,
  )
  const insertOrReplace = db.prepare<[string, string, number, string, number | null, string]>(
    `INSERT OR REPLACE INTO network_addresses (network, address, family, state, owner, vmid, since)
     VALUES (?, ?, ?, 'held', ?, ?, ?)`,
  )
  const dropOne = db.prepare<[string, string, string]>(
    `DELETE FROM network_addresses WHERE network = ? AND address = ? AND owner = ? AND state = 'held'`,
  )
  const assignOwner = db.prepare<[number, string, string]>(
    `UPDATE network_addresses SET state = 'assigned', vmid = ?, since = ? WHERE owner = ? AND state = 'held'`,
  )
  const releaseOwnerRows = db.prepare<[string]>(
    `DELETE FROM network_addresses WHERE owner = ? AND state = 'held'`,
  )
  const releaseVmRows = db.prepare<[number]>(
    `DELETE FROM network_addresses WHERE vmid = ? AND state = 'assigned'`,
  )
  const releaseHolds = db.prepare(`DELETE FROM network_addresses WHERE state = 'held'`)
  const selectAll = db.prepare<[], Row>(
    'SELECT network, address, family, state, owner, vmid FROM network_addresses',
  )
  const mirror = new Map<string, AddressRecord>()
  const key = (network: string, address: string): string => `${network}\n${address}`
  const reload = (): void => {
    mirror.clear()
    for (const row of selectAll.all()) mirror.set(key(row.network, row.address), toRecord(row))
  }
  reload()
  const args = (hold: AddressHold): [string, string, number, string, number | null, string] => [
    hold.network,
    hold.address,
    hold.family,
    hold.owner,
    hold.vmid ?? null,
    now().toISOString(),
  ]
  const held = (hold: AddressHold): AddressRecord => ({ ...hold, state: 'held' })
  return {
    hold(hold) {
      if (insertOrIgnore.run(...args(hold)).changes === 0) return false
      mirror.set(key(hold.network, hold.address), held(hold))
      return true
    },
    holdReplacing(hold) {
      insertOrReplace.run(...args(hold))
      mirror.set(key(hold.network, hold.address), held(hold))
    },
    drop(network, address, owner) {
      if (dropOne.run(network, address, owner).changes > 0) mirror.delete(key(network, address))
    },
    assign(owner, vmid) {
      const changes = assignOwner.run(vmid, now().toISOString(), owner).changes
      if (changes > 0) reload()
      return changes
    },
    releaseOwner(owner) {
      const changes = releaseOwnerRows.run(owner).changes
      if (changes > 0) reload()
      return changes
    },
    releaseVm(vmid) {
      const changes = releaseVmRows.run(vmid).changes
      if (changes > 0) reload()
      return changes
    },
    releaseAllHolds() {
      const changes = releaseHolds.run().changes
      if (changes > 0) reload()
      return changes
    },
    rows: () => [...mirror.values()],
    find: (network, address) => mirror.get(key(network, address)),
  }
}

function toRecord(row: Row): AddressRecord {
  const { family, state } = row
  if ((family !== 4 && family !== 6) || (state !== 'held' && state !== 'assigned')) {
    throw new StoreError(
      'STORE_ROW_INVALID',
      `network_addresses row ${row.network} ${row.address} has family ${family}, state ${state}`,
    )
  }
  return {
    network: row.network,
    address: row.address,
    family,
    state,
    owner: row.owner ?? undefined,
    vmid: row.vmid ?? undefined,
  }
}
