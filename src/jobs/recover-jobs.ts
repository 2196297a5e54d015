import type { Logger } from 'pino'
import { describeError } from '../errors.js'
import { removeOwnVm } from '../provision/own-vm.js'
import type { Cluster, VmSummary } from '../pve/cluster.js'
import type { Store } from '../store/index.js'
import { toEventRow, toJobRecord } from './job-rows.js'
import type { JobRecord } from './job.js'

export interface RecoveryOptions {
  store: Pick<Store, 'jobs' | 'events' | 'reservations' | 'creations' | 'transaction'>
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
 * stream, so the VM is stopped and destroyed with its disks — but only when the store records
 * that the job started a create, the VM carries that job's stamp (`removeOwnVm`), and it is not
 * protected. A VM that another admin created under the id we had reserved is never touched.
 * Every VMID reservation is released: no install runs yet.
 */
export async function recoverInterruptedJobs(options: RecoveryOptions): Promise<RecoveredJob[]> {
  const { store, log } = options
  const now = options.now ?? ((): Date => new Date())
  const recovered: RecoveredJob[] = []
  for (const row of store.jobs.inStates(['queued', 'running'])) {
    const job = toJobRecord(row)
    let outcome: string
    try {
      outcome = await cleanUp(job, options)
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

async function cleanUp(job: JobRecord, options: RecoveryOptions): Promise<string> {
  if (job.type !== 'install') return 'the VM was left as Proxmox has it'
  const creations = options.store.creations.ofJob(job.id)
  if (creations.length === 0) {
    // no create was started: whatever has the id now is someone else's, and is not looked at
    if (job.vmid === undefined) return 'no VMID had been chosen, nothing was created'
    return `VM ${job.vmid} had not been created; reservation released`
  }
  const { vms } = await options.cluster.resources()
  const outcomes: string[] = []
  for (const creation of creations) {
    const vm = vms.find((entry) => entry.vmid === creation.vmid)
    outcomes.push(await removeCreation(job, creation.vmid, vm, creation.node, options))
  }
  return outcomes.join('; ')
}

async function removeCreation(
  job: JobRecord,
  vmid: number,
  vm: VmSummary | undefined,
  createdOn: string,
  options: RecoveryOptions,
): Promise<string> {
  if (vm !== undefined && options.isProtected?.(vmid, vm.tags ?? []) === true) {
    return `VM ${vmid} is protected and was left alone`
  }
  // the VM may have been migrated to the install's target node since it was created
  const node = vm?.node ?? createdOn
  const outcome = await removeOwnVm(options.cluster, { node, vmid, jobId: job.id })
  if (outcome === 'gone') return `VM ${vmid} had not been created; reservation released`
  if (outcome === 'not-ours') {
    return `VM ${vmid} exists but does not carry this job's stamp; it was left alone`
  }
  options.log.info({ jobId: job.id, vmid, node }, 'half-made VM removed')
  return `cleaned up: VM ${vmid} and its disks removed, reservation released`
}
