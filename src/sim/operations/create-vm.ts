import { describeError } from '../../errors.js'
import type { SimContext } from '../context.js'
import type { SimNode, SimVolume } from '../state/types.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { timings } from '../timings.js'
import { creationDefaults, sortedConfig } from '../vm-config/defaults.js'
import { createDisk } from './disks.js'
import type { DiskRequest } from './disks.js'
import { bootVm } from './power.js'
import { withVmLock } from './vm-lock.js'

export interface CreatePlan {
  /** checked, normalized config keys (drives still as requested) */
  config: Record<string, string>
  disks: DiskRequest[]
  start: boolean
}

/**
 * The `qmcreate` worker: takes the config flock (5 s), writes a config locked `create`, allocates
 * or imports each disk, writes the final config, and with `start` boots it. A failure removes
 * what was made and dies `unable to create VM <id> - <reason>`.
 */
export async function createVm(
  sim: SimContext,
  node: SimNode,
  vmid: number,
  plan: CreatePlan,
  task: TaskContext,
): Promise<void> {
  await withVmLock(
    sim,
    node.name,
    vmid,
    async () => {
      const created: SimVolume[] = []
      try {
        const other = sim.state.vms.get(vmid)
        if (other) throw new Error(`VM ${vmid} already exists on node '${other.node}'`)
        sim.state.vms.set(vmid, {
          vmid,
          node: node.name,
          config: { lock: 'create' },
          pending: {},
          pendingDelete: [],
          power: 'stopped',
        })
        sim.changed()
        const fault = sim.faults.take('create', vmid)
        await sim.faults.gate('create', vmid, task.signal)
        await sim.pacer.wait(timings.createBaseMs, task.signal)
        if (fault !== undefined) throw new Error(fault.replace(/^unable to create VM \d+ - /, ''))
        const config = { ...plan.config }
        for (const request of plan.disks) {
          const importFault =
            request.kind === 'import' ? sim.faults.take('import', vmid) : undefined
          const result = await createDisk(sim, node, vmid, request, {
            print: task.log,
            signal: task.signal,
            ...(importFault === undefined ? {} : { importFault }),
          })
          if (result.volume) created.push(result.volume)
          config[request.key] = result.value
        }
        const vm = sim.state.vms.get(vmid)
        if (vm) {
          vm.config = sortedConfig({ ...config, ...creationDefaults(config) })
          sim.changed()
        }
      } catch (error) {
        for (const volume of created) {
          const index = sim.state.volumes.indexOf(volume)
          if (index >= 0) sim.state.volumes.splice(index, 1)
        }
        if (sim.state.vms.get(vmid)?.config.lock === 'create') sim.state.vms.delete(vmid)
        sim.changed()
        throw new Error(`unable to create VM ${vmid} - ${describeError(error)}`, { cause: error })
      }
    },
    { waitMs: timings.createLockWaitMs, print: task.log, signal: task.signal },
  )
  if (!plan.start) return
  task.log('Execute autostart')
  const vm = sim.state.vms.get(vmid)
  if (!vm) return
  try {
    await withVmLock(
      sim,
      node.name,
      vmid,
      () => bootVm(sim, vm, node, { print: task.log, signal: task.signal }),
      {
        print: task.log,
        signal: task.signal,
      },
    )
  } catch (error) {
    // qemu-server only `warn`s a failed autostart: the create itself succeeded
    task.log(describeError(error))
  }
}
