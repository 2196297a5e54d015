import { initialSchema } from './001-initial.js'
import { eventData } from './002-event-data.js'
import type { Migration } from './migration.js'

export type { Migration } from './migration.js'

/** Every migration, oldest first; a new one is appended, never edited once released. */
export const migrations: readonly Migration[] = [initialSchema, eventData]
