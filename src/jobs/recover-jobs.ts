import type { Logger } from 'pino'
import { describeError } from '../errors.js'
import type { Cluster } from '../pve/cluster.js'
import { PveError } from '../pve/errors.js'
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
 * How much earlier than the job a VM's recorded creation time may be and still count as the
 * job's: the node's clock and ours may differ a little.
 */
const clockSkewSeconds = 120

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
  const { vmid } = job
  if (vmid === undefined) return 'no VMID had been chosen, nothing was created'
  const { cluster } = options
  const vm = (await cluster.resources()).vms.find((entry) => entry.vmid === vmid)
  if (vm === undefined) return `VM ${vmid} had not been created; reservation released`
  if (options.isProtected?.(vmid, vm.tags ?? []) === true) {
    return `VM ${vmid} is protected and was left alone`
  }
  const config = await cluster.vmConfig(vm.node, vmid)
  const created = creationTime(config.meta)
  const startedAt = Math.floor(Date.parse(job.createdAt) / 1000)
  if (created === undefined || created < startedAt - clockSkewSeconds) {
    return `VM ${vmid} exists but was not created by this job; it was left alone`
  }
  try {
    const status = await cluster.vmStatus(vm.node, vmid)
    if (status.status === 'running') await cluster.stopVm(vm.node, vmid)
    await cluster.destroyVm(vm.node, vmid)
  } catch (error) {
    if (error instanceof PveError && error.kind === 'vm_not_found') {
      return `VM ${vmid} was gone already; reservation released`
    }
    throw error
  }
  options.log.info({ jobId: job.id, vmid, node: vm.node }, 'half-made VM removed')
  return `cleaned up: VM ${vmid} and its disks removed, reservation released`
}

/** `ctime` of a `meta: creation-qemu=9.2.0,ctime=1752413379` config value, in epoch seconds. */
function creationTime(meta: string | undefined): number | undefined {
  const match = /(?:^|,)ctime=(\d+)(?:,|$)/.exec(meta ?? '')
  return match?.[1] === undefined ? undefined : Number(match[1])
}
