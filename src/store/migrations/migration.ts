/** One step of the schema; `version` counts from 1 and is kept in `PRAGMA user_version`. */
export interface Migration {
  version: number
  /** what it adds, for the log */
  name: string
  sql: string
}
