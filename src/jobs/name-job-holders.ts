import { VmBusyError } from '../provision/errors.js'
import type { VmLocks } from '../provision/vm-locks.js'
import type { JobRunner } from './job-runner.js'

/**
 * The same per-VM locks, with a refusal that names the job holding the VM: `VM 101 is busy:
 * migration (job 3f2a…) is in progress`, so the caller can follow or cancel that job.
 */
export function nameJobHolders(locks: VmLocks, jobs: Pick<JobRunner, 'activeOn'>): VmLocks {
  return {
    acquire(vmid, holder) {
      try {
        return locks.acquire(vmid, holder)
      } catch (error) {
        if (!(error instanceof VmBusyError)) throw error
        const job = jobs.activeOn(vmid)
        if (job === undefined) throw error
        throw new VmBusyError(vmid, `${error.holder} (job ${job.id})`)
      }
    },
    holderOf: (vmid) => locks.holderOf(vmid),
  }
}
