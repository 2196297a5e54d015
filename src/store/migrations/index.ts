import { initialSchema } from './001-initial.js'
import { vmCreations } from './002-vm-creations.js'
import { auditRefusals } from './003-audit-refusals.js'
import { eventData } from './004-event-data.js'
import { networkAddresses } from './005-network-addresses.js'
import type { Migration } from './migration.js'

export type { Migration } from './migration.js'

/** Every migration, oldest first; a new one is appended, never edited once released. */
export const migrations: readonly Migration[] = [
  initialSchema,
  vmCreations,
  auditRefusals,
  eventData,
  networkAddresses,
]
