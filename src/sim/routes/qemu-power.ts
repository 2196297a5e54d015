import { die, paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { ParamSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { isRoot } from '../api/route.js'
import { bootVm, markStopped } from '../operations/power.js'
import {
  checkLock,
  configMissing,
  configNotFound,
  requireVm,
  withVmLock,
} from '../operations/vm-lock.js'
import { timings } from '../timings.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

const common: Record<string, ParamSpec> = {
  node: nodeSpec,
  vmid: vmidSpec,
  skiplock: { type: 'boolean', optional: true },
  timeout: { type: 'integer', minimum: 0, optional: true },
}

function verify(rc: RouteContext, extra: Record<string, ParamSpec>): Record<string, string> {
  const values = verifyParams(rc.params, tableLookup({ ...common, ...extra }), rc.caller)
  if (values.skiplock === '1' && !isRoot(rc.caller))
    paramError('skiplock', 'Only root may use this option.')
  return values
}

function start(rc: RouteContext) {
  const values = verify(rc, {
    machine: { type: 'string', optional: true },
    'force-cpu': { type: 'string', optional: true },
    migratedfrom: { ...nodeSpec, optional: true },
    migration_type: { type: 'string', enum: ['secure', 'insecure'], optional: true },
    migration_network: { type: 'string', optional: true },
    stateuri: { type: 'string', optional: true },
    targetstorage: { type: 'string', optional: true },
  })
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  return forkWorker(rc, 'qmstart', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      node.name,
      vmid,
      async () => {
        const vm = requireVm(rc.sim, node.name, vmid, configMissing(node.name, vmid))
        checkLock(vm, values.skiplock === '1')
        if (vm.config.template === '1') die("you can't start a vm if it's a template")
        if (vm.power === 'running') die(`VM ${vmid} already running`)
        await bootVm(rc.sim, vm, node, { print: task.log, signal: task.signal })
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

function stop(rc: RouteContext) {
  const values = verify(rc, {
    keepActive: { type: 'boolean', optional: true },
    'overrule-shutdown': { type: 'boolean', optional: true },
    migratedfrom: { ...nodeSpec, optional: true },
  })
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  return forkWorker(rc, 'qmstop', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      node.name,
      vmid,
      async () => {
        const vm = requireVm(rc.sim, node.name, vmid, configNotFound(node.name, vmid))
        // vm_stop: a stopped VM is done before the lock is looked at; --skiplock kills a
        // locked one (a running backup dies with it: pve.md §10.4)
        if (vm.power !== 'running') return
        checkLock(vm, values.skiplock === '1')
        const fault = rc.sim.faults.take('stop', vmid)
        await rc.sim.faults.gate('stop', vmid, task.signal)
        await rc.sim.pacer.wait(timings.stopMs, task.signal)
        if (fault !== undefined) die(fault)
        markStopped(rc.sim, vm)
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

function shutdown(rc: RouteContext) {
  const values = verify(rc, {
    forceStop: { type: 'boolean', optional: true },
    keepActive: { type: 'boolean', optional: true },
  })
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  const existing = rc.sim.state.vms.get(vmid)
  // the "is it paused?" probe asks QMP, which warns on a stopped VM (pve.md §2.1)
  if (existing?.node === node.name && existing.power !== 'running')
    rc.stderr.push(`VM ${vmid} not running`, '')
  return forkWorker(rc, 'qmshutdown', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      node.name,
      vmid,
      async () => {
        const vm = requireVm(rc.sim, node.name, vmid, configNotFound(node.name, vmid))
        if (vm.power !== 'running') return
        checkLock(vm, values.skiplock === '1')
        const fault = rc.sim.faults.take('shutdown', vmid)
        await rc.sim.faults.gate('shutdown', vmid, task.signal)
        const limitMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000
        if (fault !== undefined || (limitMs !== undefined && limitMs < timings.shutdownMs)) {
          await rc.sim.pacer.wait(limitMs ?? timings.shutdownMs, task.signal)
          if (values.forceStop !== '1') die(fault ?? 'VM quit/powerdown failed - got timeout')
          task.log('VM still running - terminating now with SIGTERM')
        } else {
          await rc.sim.pacer.wait(timings.shutdownMs, task.signal)
        }
        markStopped(rc.sim, vm)
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

function reboot(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      vmid: vmidSpec,
      timeout: { type: 'integer', minimum: 0, optional: true },
    }),
    rc.caller,
  )
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  const existing = requireVm(rc.sim, node.name, vmid, configNotFound(node.name, vmid))
  if (existing.power !== 'running') die(`VM ${vmid} not running`)
  return forkWorker(rc, 'qmreboot', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      node.name,
      vmid,
      async () => {
        const vm = requireVm(rc.sim, node.name, vmid, configNotFound(node.name, vmid))
        checkLock(vm, false)
        if (vm.power !== 'running') die(`VM ${vmid} not running`)
        const fault = rc.sim.faults.take('reboot', vmid)
        await rc.sim.faults.gate('reboot', vmid, task.signal)
        await rc.sim.pacer.wait(timings.shutdownMs, task.signal)
        if (fault !== undefined) die(fault)
        markStopped(rc.sim, vm)
        await bootVm(rc.sim, vm, node, { print: task.log, signal: task.signal })
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

const power = (p: Readonly<Record<string, string>>): [string, string] => [
  `/vms/${p.vmid ?? ''}`,
  'VM.PowerMgmt',
]

export const qemuPowerRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/status/start',
    permission: power,
    handler: start,
  },
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/status/stop',
    permission: power,
    handler: stop,
  },
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/status/shutdown',
    permission: power,
    handler: shutdown,
  },
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/status/reboot',
    permission: power,
    handler: reboot,
  },
]
