/**
 * Where an install records, before `qm create` runs, that it is about to create a VM (the
 * SQLite store implements it): after a crash, recovery knows whether the job could have made a
 * VM at all, and where to look for its stamp.
 */
export interface CreationLog {
  started(jobId: string, vmid: number, node: string): void
}
