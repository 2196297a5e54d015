import { die } from '../api/errors.js'
import { nodeSpec, verifyParams, vmidSpec } from '../api/params.js'
import type { ParamSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { createVm } from '../operations/create-vm.js'
import { planDisk } from '../operations/disks.js'
import type { DiskRequest } from '../operations/disks.js'
import { requireStorage } from '../state/volumes.js'
import { isDriveKey } from '../vm-config/drive.js'
import { normalizeConfigValue } from '../vm-config/normalize.js'
import { configKeySpec } from '../vm-config/schema.js'
import { checkBalloon, checkConfigConsistency } from '../operations/config-checks.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

const createParams: Record<string, ParamSpec> = {
  node: nodeSpec,
  vmid: vmidSpec,
  storage: { type: 'string', optional: true, pattern: /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i },
  start: { type: 'boolean', optional: true },
  pool: { type: 'string', optional: true },
  unique: { type: 'boolean', optional: true },
  force: { type: 'boolean', optional: true },
  archive: { type: 'string', optional: true },
  'live-restore': { type: 'boolean', optional: true },
  'ha-managed': { type: 'boolean', optional: true },
  'import-working-storage': { type: 'string', optional: true },
  bwlimit: { type: 'integer', minimum: 0, optional: true },
}

const methodKeys = new Set(Object.keys(createParams))

function create(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    (name) => (Object.hasOwn(createParams, name) ? createParams[name] : configKeySpec(name)),
    rc.caller,
    ['vmid'],
  )
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  if (values.archive !== undefined) die('restoring a backup is not supported by the simulator')
  if (values.storage !== undefined) requireStorage(node, values.storage)
  const config: Record<string, string> = {}
  for (const [key, value] of Object.entries(values)) {
    if (methodKeys.has(key)) continue
    config[key] = normalizeConfigValue(key, value, {})
  }
  checkBalloon(config, {}, {})
  checkConfigConsistency(config)
  const existing = rc.sim.state.vms.get(vmid)
  if (existing)
    die(`unable to create VM ${vmid} - VM ${vmid} already exists on node '${existing.node}'`)
  const disks: DiskRequest[] = []
  for (const key of Object.keys(config)) {
    if (!isDriveKey(key) && key !== 'efidisk0' && key !== 'tpmstate0') continue
    disks.push(planDisk(rc.sim, node, rc.caller, key, config[key] ?? '', values.storage))
  }
  return forkWorker(rc, 'qmcreate', String(vmid), (task) =>
    createVm(rc.sim, node, vmid, { config, disks, start: values.start === '1' }, task),
  )
}

export const qemuCreateRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu',
    permission: (p) => [`/vms/${p.vmid ?? ''}`, 'VM.Allocate'],
    handler: create,
  },
]
