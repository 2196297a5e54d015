import { die, paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { refuseLinkedCloneMigration } from '../operations/linked-clones.js'
import { migrateVm } from '../operations/migrate-vm.js'
import { checkLock, requireVm, withVmLock } from '../operations/vm-lock.js'
import { referencedVolids } from '../state/vm-view.js'
import { findNode } from '../state/volumes.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

function migrate(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      vmid: vmidSpec,
      target: nodeSpec,
      online: { type: 'boolean', optional: true },
      'with-local-disks': { type: 'boolean', optional: true },
      force: { type: 'boolean', optional: true },
      migration_type: { type: 'string', enum: ['secure', 'insecure'], optional: true },
      migration_network: { type: 'string', optional: true },
      targetstorage: { type: 'string', optional: true },
      bwlimit: { type: 'integer', minimum: 0, optional: true },
    }),
    rc.caller,
    ['target'],
  )
  const source = pathNode(rc)
  const targetName = values.target ?? ''
  if (targetName === source.name) paramError('target', 'target is local node.')
  const target = findNode(rc.sim.state, targetName)
  if (!target) die(`no such cluster node '${targetName}'`)
  const vmid = Number(values.vmid)
  const vm = requireVm(rc.sim, source.name, vmid)
  checkLock(vm, false)
  let online = values.online === '1'
  if (vm.power === 'running') {
    if (!online) die("can't migrate running VM without --online")
  } else if (online) {
    rc.stderr.push("VM isn't running. Doing offline migration instead.")
    online = false
  }
  for (const volid of referencedVolids(vm)) {
    const storeid = volid.split(':')[0] ?? ''
    const storage = target.storages.find((s) => s.id === storeid)
    if (!storage?.enabled) die(`storage '${storeid}' is not available on node '${target.name}'`)
  }
  const withLocalDisks = values['with-local-disks'] === '1'
  return forkWorker(rc, 'qmigrate', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      source.name,
      vmid,
      async () => {
        const current = requireVm(rc.sim, source.name, vmid)
        checkLock(current, false)
        refuseLinkedCloneMigration(rc.sim, source, referencedVolids(current))
        await migrateVm(rc.sim, { vm: current, source, target, online, withLocalDisks }, task)
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

export const qemuMigrateRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/migrate',
    permission: (p) => [`/vms/${p.vmid ?? ''}`, 'VM.Migrate'],
    handler: migrate,
  },
]
