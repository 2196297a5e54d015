import type { ListedVm } from './list-cluster.js'

/** An install still working on a listed VM: the dashboard disables the VM's actions. */
export interface InstallingMark {
  job_id: string
  /** the step it is at, e.g. `VM initialization > waiting for ready` (or `queued`) */
  stage: string
}

/** What the list adds to the original service's VM entry. */
export interface VmMarks {
  /** the VM's address (cloud-init `ipconfig0`), once known */
  ip?: string
  installing?: InstallingMark
}

export type MarkedVm = ListedVm & VmMarks

/** The listed VMs with their address and, while an install runs on one, its job and stage. */
export function markVms(
  vms: readonly ListedVm[],
  marks: {
    addresses: ReadonlyMap<number, string>
    installing: (vmid: number) => InstallingMark | undefined
  },
): MarkedVm[] {
  return vms.map((vm) => {
    const ip = marks.addresses.get(vm.vmid)
    const installing = marks.installing(vm.vmid)
    return {
      ...vm,
      ...(ip === undefined ? {} : { ip }),
      ...(installing === undefined ? {} : { installing }),
    }
  })
}
