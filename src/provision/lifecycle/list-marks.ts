import type { ListedVm } from './list-cluster.js'
import type { VmAddressView } from './vm-addresses.js'

/** An install still working on a listed VM: the dashboard disables the VM's actions. */
export interface InstallingMark {
  job_id: string
  /** the step it is at, e.g. `VM initialization > waiting for ready` (or `queued`) */
  stage: string
}

/** What the list adds to the original service's VM entry. */
export interface VmMarks {
  /** the VM's first IPv4 address (cloud-init `ipconfigN`, or the guest agent), once known */
  ip?: string
  /** every address, IPv4 first, once known */
  addresses?: string[]
  /** the network it is on, when one matches */
  network?: string
  installing?: InstallingMark
}

export type MarkedVm = ListedVm & VmMarks

/** The listed VMs with their addresses and, while an install runs on one, its job and stage. */
export function markVms(
  vms: readonly ListedVm[],
  marks: {
    addresses: ReadonlyMap<number, VmAddressView>
    installing: (vmid: number) => InstallingMark | undefined
  },
): MarkedVm[] {
  return vms.map((vm) => {
    const view = marks.addresses.get(vm.vmid)
    const installing = marks.installing(vm.vmid)
    return {
      ...vm,
      ...(view?.ip === undefined ? {} : { ip: view.ip }),
      ...(view === undefined || view.addresses.length === 0 ? {} : { addresses: view.addresses }),
      ...(view?.network === undefined ? {} : { network: view.network }),
      ...(installing === undefined ? {} : { installing }),
    }
  })
}
