import { VmStateError } from '../errors.js'
import type { LifecycleDeps } from './deps.js'

/**
 * Deletes the VM with all its disks (`--purge`), stopping it first if it runs. Proxmox checks
 * protection and config locks only in `destroy`, after a stop would already have killed the VM
 * (and with `--skiplock`, the backup or migration holding the lock; pve.md §10.4). So the config
 * is read first: a protected or locked VM is refused (409, Proxmox's wording) with nothing
 * touched, and the stop never skips a lock.
 */
export async function destroyVm(deps: LifecycleDeps, vmid: number): Promise<void> {
  const release = deps.locks.acquire(vmid, 'destroy')
  try {
    const vm = await deps.locator.locate(vmid)
    const config = await deps.cluster.vmConfig(vm.node, vmid)
    if (isTrue(config.protection)) {
      throw new VmStateError(`can't remove VM ${vmid} - protection mode enabled`)
    }
    if (config.lock !== undefined && config.lock !== '') {
      throw new VmStateError(`VM is locked (${config.lock})`)
    }
    if (vm.status.status !== 'stopped') await deps.cluster.stopVm(vm.node, vmid)
    await deps.cluster.destroyVm(vm.node, vmid)
    deps.locator.forget(vmid)
    deps.pending.forget(vmid)
    // its addresses go back to their pools
    deps.addresses.releaseVm(vmid)
  } finally {
    release()
  }
}

/** Proxmox booleans as a config shows them (`1`; the CLI also accepts yes/on/true). */
function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|yes|on|true)$/i.test(value)
}
