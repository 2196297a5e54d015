import type { Cluster, OperationOptions, VmStatus } from '../../pve/cluster.js'
import { PveError } from '../../pve/errors.js'
import { VmNotFoundError } from '../errors.js'

export interface LocatedVm {
  vmid: number
  node: string
  status: VmStatus
}

/**
 * Finds which node a VM lives on and its current state. The node is remembered, so a repeated
 * question costs one Proxmox read; a VM that moved is found again through the resource list.
 */
export interface VmLocator {
  locate(vmid: number, options?: OperationOptions): Promise<LocatedVm>
  /** Records where VMs are, from a fresh resource list. */
  remember(entries: readonly { vmid: number; node: string }[]): void
  forget(vmid: number): void
}

export function createVmLocator(cluster: Cluster): VmLocator {
  const nodes = new Map<number, string>()

  async function statusOn(
    node: string,
    vmid: number,
    options?: OperationOptions,
  ): Promise<VmStatus | undefined> {
    try {
      return await cluster.vmStatus(node, vmid, options)
    } catch (error) {
      if (error instanceof PveError && error.kind === 'vm_not_found') return undefined
      throw error
    }
  }

  const locator: VmLocator = {
    async locate(vmid, options) {
      const known = nodes.get(vmid)
      if (known !== undefined) {
        const status = await statusOn(known, vmid, options)
        if (status !== undefined) return { vmid, node: known, status }
        nodes.delete(vmid)
      }
      const { vms } = await cluster.resources(options)
      locator.remember(vms)
      const node = nodes.get(vmid)
      if (node === undefined) throw new VmNotFoundError(vmid)
      const status = await statusOn(node, vmid, options)
      if (status === undefined) throw new VmNotFoundError(vmid)
      return { vmid, node, status }
    },
    remember(entries) {
      for (const entry of entries) nodes.set(entry.vmid, entry.node)
    },
    forget(vmid) {
      nodes.delete(vmid)
    },
  }
  return locator
}
