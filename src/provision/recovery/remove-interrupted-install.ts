import type { Logger } from 'pino'
import type { Cluster } from '../../pve/cluster.js'
import { PveError } from '../../pve/errors.js'

/**
 * How much earlier than the job a VM's recorded creation time may be and still count as the
 * job's: the node's clock and ours may differ a little.
 */
const clockSkewSeconds = 120

export interface InterruptedInstall {
  cluster: Cluster
  log: Pick<Logger, 'info'>
  /** the VMID the install had chosen, if it got that far */
  vmid: number | undefined
  /** when the job began (ISO 8601): a VM created before it is not the install's */
  createdAt: string
  jobId: string
  /** VMs that are never destroyed, whatever a job left behind */
  isProtected?: ((vmid: number, tags: readonly string[]) => boolean) | undefined
}

/**
 * Crash recovery's clean-up of an install the service stopped in the middle of: its VM is
 * stopped and destroyed with its disks — only when Proxmox records it as created after the job
 * began (`meta: ctime`) and it is not protected. Returns what became of it, in words.
 */
export async function removeInterruptedInstall(install: InterruptedInstall): Promise<string> {
  const { vmid, cluster } = install
  if (vmid === undefined) return 'no VMID had been chosen, nothing was created'
  const vm = (await cluster.resources()).vms.find((entry) => entry.vmid === vmid)
  if (vm === undefined) return `VM ${vmid} had not been created; reservation released`
  if (install.isProtected?.(vmid, vm.tags ?? []) === true) {
    return `VM ${vmid} is protected and was left alone`
  }
  const config = await cluster.vmConfig(vm.node, vmid)
  const created = creationTime(config.meta)
  const startedAt = Math.floor(Date.parse(install.createdAt) / 1000)
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
  install.log.info({ jobId: install.jobId, vmid, node: vm.node }, 'half-made VM removed')
  return `cleaned up: VM ${vmid} and its disks removed, reservation released`
}

/** `ctime` of a `meta: creation-qemu=9.2.0,ctime=1752413379` config value, in epoch seconds. */
function creationTime(meta: string | undefined): number | undefined {
  const match = /(?:^|,)ctime=(\d+)(?:,|$)/.exec(meta ?? '')
  return match?.[1] === undefined ? undefined : Number(match[1])
}
