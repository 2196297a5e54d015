export type { AddressHold, AddressRecord, AddressTable } from './address-table.js'
export {
  auditActionLength,
  type AuditEntry,
  type AuditRecord,
  type AuditRefusalCount,
  type AuditRetention,
  type AuditTable,
} from './audit-table.js'
export { StoreError, storeErrorCodes, type StoreErrorCode } from './errors.js'
export type { CreationRecord, CreationTable } from './creation-table.js'
export type { HostKeyKind, HostKeyTable } from './host-key-table.js'
export type { JobEventRow, JobEventTable } from './job-event-table.js'
export type { JobRow, JobRowFilter, JobTable } from './job-table.js'
export { migrate, schemaVersion, type MigrationResult } from './migrate.js'
export { migrations, type Migration } from './migrations/index.js'
export { openStore, storePath, type Store, type StoreOptions } from './open-store.js'
export type { ReservationTable } from './reservation-table.js'
export type { StoreHealthState } from './store-health.js'
