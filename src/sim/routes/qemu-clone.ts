import { die, paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { checkLinkedOptions, cloneVm, planClone } from '../operations/clone-vm.js'
import { checkTemplatable, templateVm } from '../operations/template-vm.js'
import { checkLock, requireVm } from '../operations/vm-lock.js'
import { findNode } from '../state/volumes.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

/** `POST /nodes/{node}/qemu/{vmid}/clone` (pve.md §2.9, §5.3). */
function clone(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      vmid: vmidSpec,
      newid: vmidSpec,
      name: { type: 'string', optional: true, pattern: /^[a-zA-Z0-9][a-zA-Z0-9.-]*$/ },
      description: { type: 'string', optional: true, maxLength: 8192 },
      full: { type: 'boolean', optional: true },
      target: { ...nodeSpec, optional: true },
      storage: { type: 'string', optional: true },
      format: { type: 'string', enum: ['raw', 'qcow2', 'vmdk'], optional: true },
      pool: { type: 'string', optional: true },
      snapname: { type: 'string', optional: true },
      bwlimit: { type: 'integer', minimum: 0, optional: true },
    }),
    rc.caller,
    ['newid'],
  )
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  const newid = Number(values.newid)
  const source = requireVm(rc.sim, node.name, vmid)
  checkLock(source, false)
  const template = source.config.template === '1'
  const full = values.full === undefined ? !template : values.full === '1'
  checkLinkedOptions(full, values.storage)
  if (!full && values.format !== undefined)
    paramError('format', "parameter 'format' not allowed for linked clones")
  if (values.storage !== undefined && values.storage !== '')
    die('cloning to another storage is not supported by the simulator')
  const existing = rc.sim.state.vms.get(newid)
  if (existing) die(`unable to create VM ${newid}: config file already exists`)
  const targetName = values.target ?? node.name
  const targetNode = findNode(rc.sim.state, targetName)
  if (!targetNode) die(`no such cluster node '${targetName}'`)
  const plan = {
    source,
    sourceNode: node,
    targetNode,
    newid,
    full,
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.description === undefined ? {} : { description: values.description }),
  }
  const disks = planClone(rc.sim, plan)
  return forkWorker(rc, 'qmclone', String(vmid), (task) => cloneVm(rc.sim, plan, disks, task))
}

/** `POST /nodes/{node}/qemu/{vmid}/template` (pve.md §2.9). */
function template(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      vmid: vmidSpec,
      disk: { type: 'string', optional: true, pattern: /^(?:scsi|sata|ide|virtio)\d+$/ },
    }),
    rc.caller,
  )
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  checkTemplatable(requireVm(rc.sim, node.name, vmid))
  return forkWorker(rc, 'qmtemplate', String(vmid), (task) => templateVm(rc.sim, node, vmid, task))
}

export const qemuCloneRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/clone',
    permission: (p) => [`/vms/${p.vmid ?? ''}`, 'VM.Clone'],
    handler: clone,
  },
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/template',
    permission: (p) => [`/vms/${p.vmid ?? ''}`, 'VM.Allocate'],
    handler: template,
  },
]
