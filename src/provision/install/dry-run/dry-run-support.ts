import type { ImageStore } from '../../../images/index.js'
import type { PlannedOperation } from '../../../pve/planned-operation.js'
import type { DryRunSupport } from './plan-dry-run.js'
import { collectStageTimes, type RecordedEvent } from './stage-history.js'

/** The store's view of earlier installs that a dry-run estimate reads. */
export interface InstallHistory {
  /** ids of the latest succeeded installs, newest first */
  succeededInstalls(limit: number): string[]
  events(jobId: string): RecordedEvent[]
}

export interface DryRunSupportOptions {
  imageStore: ImageStore
  history: InstallHistory
  commandLines?: (operations: readonly PlannedOperation[]) => string[]
}

/** How many earlier installs an estimate is made from. */
const historyDepth = 20

/**
 * A dry-run's reads: whether the image cache holds a copy matching the fresh checksum file
 * (hashed, as the install would; nothing is downloaded), and the stage times of the latest
 * successful installs.
 */
export function createDryRunSupport(options: DryRunSupportOptions): DryRunSupport {
  return {
    async inspectImage(release, signal) {
      const found = await options.imageStore.inspect(release, { signal })
      const bytes = found.bytes ?? (await options.imageStore.check(release, { signal })).sizeBytes
      return { ...found, bytes }
    },
    stageTimes() {
      const ids = options.history.succeededInstalls(historyDepth)
      return collectStageTimes(ids.map((id) => options.history.events(id)))
    },
    ...(options.commandLines === undefined ? {} : { commandLines: options.commandLines }),
  }
}
