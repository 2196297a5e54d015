import { die, paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { isRoot } from '../api/route.js'
import { refuseBaseInUse } from '../operations/linked-clones.js'
import { freeVolid } from '../operations/volume-release.js'
import { checkLock, requireVm, withVmLock } from '../operations/vm-lock.js'
import { referencedVolids } from '../state/vm-view.js'
import { volumeSeenFrom } from '../state/volumes.js'
import { timings } from '../timings.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

function destroy(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      vmid: vmidSpec,
      purge: { type: 'boolean', optional: true },
      'destroy-unreferenced-disks': { type: 'boolean', optional: true },
      skiplock: { type: 'boolean', optional: true },
    }),
    rc.caller,
  )
  if (values.skiplock === '1' && !isRoot(rc.caller))
    paramError('skiplock', 'Only root may use this option.')
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  const early = requireVm(rc.sim, node.name, vmid)
  if (early.config.protection === '1') die(`can't remove VM ${vmid} - protection mode enabled`)
  if (early.power === 'running') die(`VM ${vmid} is running - destroy failed`)
  return forkWorker(rc, 'qmdestroy', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      node.name,
      vmid,
      async () => {
        const vm = requireVm(rc.sim, node.name, vmid)
        // the early checks again under the flock (the config may have changed), then the lock
        if (vm.config.protection === '1') die(`can't remove VM ${vmid} - protection mode enabled`)
        if (vm.power === 'running') die(`VM ${vmid} is running - destroy failed`)
        checkLock(vm, values.skiplock === '1')
        refuseBaseInUse(rc.sim, node.name, referencedVolids(vm))
        const fault = rc.sim.faults.take('destroy', vmid)
        vm.config.lock = 'destroyed'
        rc.sim.changed()
        try {
          await rc.sim.faults.gate('destroy', vmid, task.signal)
          await rc.sim.pacer.wait(timings.destroyMs, task.signal)
          if (fault !== undefined) die(fault)
        } catch (error) {
          delete vm.config.lock
          rc.sim.changed()
          throw error
        }
        const volids = new Set(referencedVolids(vm))
        if (values['destroy-unreferenced-disks'] === '1') {
          for (const volume of rc.sim.state.volumes) {
            if (
              volume.vmid === vmid &&
              volume.content === 'images' &&
              volumeSeenFrom(rc.sim.state, volume, node.name)
            )
              volids.add(volume.volid)
          }
        }
        for (const volid of [...volids].sort()) freeVolid(rc.sim, node.name, volid, task.log)
        if (values.purge === '1') task.log(`purging VM ${vmid} from related configurations..`)
        rc.sim.state.vms.delete(vmid)
        rc.sim.statd.forget(vmid)
        rc.sim.changed()
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

export const qemuDestroyRoutes: Route[] = [
  {
    method: 'DELETE',
    pattern: '/nodes/{node}/qemu/{vmid}',
    permission: (p) => [`/vms/${p.vmid ?? ''}`, 'VM.Allocate'],
    handler: destroy,
  },
]
