import type { Cluster, VmConfig } from '../pve/cluster.js'
import { PveError } from '../pve/errors.js'

/**
 * The line an install writes into its VM's `description` (Proxmox's "Notes"): the proof, job
 * by job, that the service made this VM. A tag would show in lists, but any admin adds or
 * removes tags, and a tag cannot tell one install from another; the job id can.
 */
export function ownershipStamp(jobId: string): string {
  return `pve-qemu job ${jobId}`
}

/** True when the VM's description carries the stamp of `jobId` on a line of its own. */
export function isStampedBy(config: VmConfig, jobId: string): boolean {
  const stamp = ownershipStamp(jobId)
  return (config.description ?? '').split('\n').some((line) => line.trim() === stamp)
}

/** What {@link removeOwnVm} did. */
export type OwnVmRemoval = 'removed' | 'gone' | 'not-ours'

/**
 * Destroys a VM (stopping it first) only after proving it is the one `jobId` created: its
 * config must carry that job's stamp. A VM without the stamp — someone else's, created under
 * an id we had reserved — is left untouched (`not-ours`); a VM already gone is `gone`.
 * Everything the service destroys on its own initiative (rollback, crash recovery) goes
 * through here.
 */
export async function removeOwnVm(
  cluster: Cluster,
  vm: { node: string; vmid: number; jobId: string },
): Promise<OwnVmRemoval> {
  const { node, vmid } = vm
  try {
    const config = await cluster.vmConfig(node, vmid)
    if (!isStampedBy(config, vm.jobId)) return 'not-ours'
    const status = await cluster.vmStatus(node, vmid)
    if (status.status === 'running') await cluster.stopVm(node, vmid)
    try {
      await cluster.destroyVm(node, vmid)
    } catch (error) {
      // a start the cancelled install had asked for may finish after the status read above
      if (!(error instanceof PveError && error.kind === 'vm_running')) throw error
      await cluster.stopVm(node, vmid)
      await cluster.destroyVm(node, vmid)
    }
    return 'removed'
  } catch (error) {
    if (error instanceof PveError && error.kind === 'vm_not_found') return 'gone'
    throw error
  }
}
