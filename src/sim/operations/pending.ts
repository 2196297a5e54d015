import type { SimContext } from '../context.js'
import { freeVolumeOf } from './volume-release.js'
import type { SimVm } from '../state/types.js'

/** Applies `[PENDING]` changes to the config, as a start does. Deleted drives free nothing here:
 * their volumes become `unusedN` (done when the deletion was recorded). */
export function applyPending(sim: SimContext, vm: SimVm, print: (line: string) => void): void {
  if (Object.keys(vm.pending).length === 0 && vm.pendingDelete.length === 0) return
  for (const key of vm.pendingDelete) {
    if (/^unused\d+$/.test(key)) freeVolumeOf(sim, vm, vm.config[key], print)
    Reflect.deleteProperty(vm.config, key)
  }
  Object.assign(vm.config, vm.pending)
  vm.pending = {}
  vm.pendingDelete = []
  sim.changed()
}
