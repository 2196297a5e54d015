import type { Logger } from 'pino'
import { describeError } from '../errors.js'
import { removeInterruptedInstall } from '../provision/recovery/remove-interrupted-install.js'
import type { Cluster } from '../pve/cluster.js'
import type { Store } from '../store/index.js'
import { toEventRow, toJobRecord } from './job-rows.js'
import type { JobRecord } from './job.js'

export interface RecoveryOptions {
  store: Pick<Store, 'jobs' | 'events' | 'reservations' | 'transaction'>
  cluster: Cluster
  log: Pick<Logger, 'info' | 'warn' | 'error'>
  /** VMs that are never destroyed, whatever a job left behind */
  isProtected?: (vmid: number, tags: readonly string[]) => boolean
  now?: () => Date
}

/** What recovery did with one job. */
export interface RecoveredJob {
  job: JobRecord
  /** what became of what the job left, in words (also the job's error text) */
  outcome: string
}

/**
 * Runs once at start, before the API listens. Every job the store shows queued or running was
 * cut off when the service stopped (this process holds the database alone), so each is marked
 * `interrupted` with a closing event. An interrupted install is cleaned up, never adopted: its
 * first-boot script may not have finished and a generated password was shown only to its live
 * stream, so the VM is stopped and destroyed with its disks — but only when Proxmox records it
 * as created after the job began (`meta: ctime`) and it is not protected. Every VMID
 * reservation is released: no install runs yet.
 */
export async function recoverInterruptedJobs(options: RecoveryOptions): Promise<RecoveredJob[]> {
  const { store, log } = options
  const now = options.now ?? ((): Date => new Date())
  const recovered: RecoveredJob[] = []
  for (const row of store.jobs.inStates(['queued', 'running'])) {
    const job = toJobRecord(row)
    let outcome: string
    try {
      // what the VM becomes is provision's call; jobs only records it
      outcome =
        job.type === 'install'
          ? await removeInterruptedInstall({
              ...options,
              vmid: job.vmid,
              createdAt: job.createdAt,
              jobId: job.id,
            })
          : 'the VM was left as Proxmox has it'
    } catch (error) {
      outcome = `cleanup failed: ${describeError(error)}; remove VM ${job.vmid ?? '?'} by hand`
      log.error({ jobId: job.id, vmid: job.vmid, err: error }, 'interrupted job not cleaned up')
    }
    const error = `interrupted: the service stopped while this ${job.type} ran; ${outcome}`
    const endedAt = now().toISOString()
    store.transaction(() => {
      const seq = store.events.lastSeq(job.id) + 1
      const lastStep = store.events.after(job.id, seq - 2).at(-1)?.step ?? 'starting'
      store.events.append(
        job.id,
        toEventRow(seq, endedAt, { step: lastStep, status: 'error', message: `[-] ${error}` }),
      )
      store.jobs.finish(job.id, 'interrupted', endedAt, error)
    })
    log.warn({ jobId: job.id, type: job.type, vmid: job.vmid }, error)
    recovered.push({ job: { ...job, state: 'interrupted', endedAt, error }, outcome })
  }
  for (const [vmid, owner] of [...store.reservations.reserved()]) {
    store.reservations.release(vmid, owner)
  }
  return recovered
}
