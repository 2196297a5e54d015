import { AppError } from '../../errors.js'
import type { Cluster } from '../../pve/cluster.js'

/** The VMs the API lists but never stops, changes or destroys (`PROTECTED_VMIDS`, `PROTECTED_TAG`). */
export interface VmProtection {
  /** true when any VMID or tag is configured */
  readonly active: boolean
  /** Is the VM protected, by its VMID or one of its tags? */
  isProtected(vmid: number, tags?: readonly string[]): boolean
  /** Throws {@link VmProtectedError} for a protected VM; reads its tags only when a tag is set. */
  check(vmid: number, signal?: AbortSignal): Promise<void>
}

export interface VmProtectionOptions {
  vmids: readonly number[]
  tag: string | undefined
  /** where a VM's tags are read */
  cluster: Pick<Cluster, 'resources'>
}

export class VmProtectedError extends AppError {
  override readonly name = 'VmProtectedError'
  constructor(vmid: number) {
    super(
      'VM_PROTECTED',
      `VM ${vmid} is protected: this service never stops, changes or destroys it`,
    )
  }
}

export function createVmProtection(options: VmProtectionOptions): VmProtection {
  const vmids = new Set(options.vmids)
  const tag = options.tag?.toLowerCase()
  const isProtected = (vmid: number, tags: readonly string[] = []): boolean =>
    vmids.has(vmid) || (tag !== undefined && tags.some((each) => each.toLowerCase() === tag))
  return {
    active: vmids.size > 0 || tag !== undefined,
    isProtected,
    async check(vmid, signal) {
      if (vmids.has(vmid)) throw new VmProtectedError(vmid)
      if (tag === undefined) return
      const { vms } = await options.cluster.resources(signal === undefined ? {} : { signal })
      const vm = vms.find((entry) => entry.vmid === vmid)
      if (vm !== undefined && isProtected(vmid, vm.tags)) throw new VmProtectedError(vmid)
    },
  }
}
