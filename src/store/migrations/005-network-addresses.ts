import type { Migration } from './migration.js'

/**
 * Addresses of the named networks (`NETWORKS_FILE`): held by an install in flight (`owner` is
 * its job id) or assigned to the VM it made. One row per network and address, so two installs
 * can never hold the same one: the primary key refuses the second.
 */
export const networkAddresses: Migration = {
  version: 5,
  name: 'network address holds and assignments',
  sql: `
    CREATE TABLE network_addresses (
      network TEXT NOT NULL,
      address TEXT NOT NULL,
      family INTEGER NOT NULL CHECK (family IN (4, 6)),
      state TEXT NOT NULL CHECK (state IN ('held', 'assigned')),
      owner TEXT,
      vmid INTEGER,
      since TEXT NOT NULL,
      PRIMARY KEY (network, address)
    ) WITHOUT ROWID;
    CREATE INDEX network_addresses_owner ON network_addresses (owner);
    CREATE INDEX network_addresses_vmid ON network_addresses (vmid);
  `,
}
