import type { LifecycleDeps } from './deps.js'

/** Stops the VM if it runs, then deletes it with all its disks (`--purge`). */
export async function destroyVm(deps: LifecycleDeps, vmid: number): Promise<void> {
  const release = deps.locks.acquire(vmid, 'destroy')
  try {
    const vm = await deps.locator.locate(vmid)
    if (vm.status.status !== 'stopped') await deps.cluster.stopVm(vm.node, vmid)
    await deps.cluster.destroyVm(vm.node, vmid)
    deps.locator.forget(vmid)
  } finally {
    release()
  }
}
