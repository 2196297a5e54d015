import { initialSchema } from './001-initial.js'
import { vmCreations } from './002-vm-creations.js'
import { auditRefusals } from './003-audit-refusals.js'
import type { Migration } from './migration.js'

export type { Migration } from './migration.js'

/** Every migration, oldest first; a new one is appended, never edited once released. */
export const migrations: readonly Migration[] = [initialSchema, vmCreations, auditRefusals]
