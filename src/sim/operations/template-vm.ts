import { die } from '../api/errors.js'
import type { SimContext } from '../context.js'
import type { SimNode, SimVm } from '../state/types.js'
import { drives } from '../state/vm-view.js'
import { findVolume } from '../state/volumes.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { timings } from '../timings.js'
import { isCdrom, printDrive } from '../vm-config/drive.js'
import { sortedConfig } from '../vm-config/defaults.js'
import { baseVolid } from './linked-clones.js'
import { checkLock, requireVm, withVmLock } from './vm-lock.js'

/** The checks `qm template` runs before it forks (pve.md §2.1): running, already a template. */
export function checkTemplatable(vm: SimVm): void {
  checkLock(vm, false)
  if (vm.config.template === '1') die("you can't convert a template to a template")
  if (vm.power === 'running') die("you can't convert a VM to template if VM is running")
}

/**
 * The `qmtemplate` worker: renames every disk but cloud-init and CD-ROMs to `base-<id>-disk-<n>`
 * (what later linked clones are backed by) and sets `template: 1`. A failure leaves the VM as
 * it was.
 */
export async function templateVm(
  sim: SimContext,
  node: SimNode,
  vmid: number,
  task: TaskContext,
): Promise<void> {
  await withVmLock(
    sim,
    node.name,
    vmid,
    async () => {
      const vm = requireVm(sim, node.name, vmid)
      checkTemplatable(vm)
      const fault = sim.faults.take('template', vmid)
      await sim.faults.gate('template', vmid, task.signal)
      await sim.pacer.wait(timings.templateMs, task.signal)
      if (fault !== undefined) die(fault)
      const config = { ...vm.config }
      for (const { key, drive } of drives(vm.config)) {
        if (isCdrom(drive) || /vm-\d+-cloudinit/.test(drive.file)) continue
        const volume = findVolume(sim.state, node.name, drive.file)
        if (volume === undefined) continue
        const renamed = baseVolid(volume.volid)
        const storage = node.storages.find((entry) => entry.id === volume.storage)
        if (storage?.type === 'lvmthin') {
          const from = volume.volid.slice(storage.id.length + 1)
          const to = renamed.slice(storage.id.length + 1)
          task.log(`  Renamed "${from}" to "${to}" in volume group "pve"`)
          task.log(`  Logical volume pve/${to} changed.`)
        }
        volume.volid = renamed
        config[key] = printDrive({ file: renamed, options: drive.options })
      }
      config.template = '1'
      vm.config = sortedConfig(config)
      sim.changed()
    },
    { print: task.log, signal: task.signal },
  )
}
