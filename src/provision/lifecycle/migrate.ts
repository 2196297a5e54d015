import { InvalidInputError } from '../errors.js'
import { beginStep } from '../progress.js'
import type { LifecycleDeps, PlannedOperation } from './deps.js'

/**
 * Checks the target node, then plans a migration that carries local disks along, live when the
 * VM runs. Every line of Proxmox's migration log becomes a progress event.
 */
export async function planMigration(
  deps: LifecycleDeps,
  vmid: number,
  target: string,
): Promise<PlannedOperation> {
  const release = deps.locks.acquire(vmid, 'migration')
  try {
    const vm = await deps.locator.locate(vmid)
    const { nodes } = await deps.cluster.resources()
    const targetNode = nodes.find((node) => node.node === target)
    if (targetNode === undefined)
      throw new InvalidInputError('node', `no cluster node named "${target}"`)
    if (target === vm.node)
      throw new InvalidInputError('node', `VM ${vmid} is already on ${target}`)
    if (targetNode.status !== 'online')
      throw new InvalidInputError('node', `node ${target} is not online`)
    const online = vm.status.status === 'running'
    return {
      vmid,
      abandon: release,
      async run(report, signal) {
        try {
          const step = beginStep(report, 'migrating VM')
          step.processing(
            `migrating VM ${vmid} from ${vm.node} to ${target}${online ? ' (online)' : ''}`,
          )
          await deps.cluster.migrateVm(vm.node, vmid, target, {
            online,
            withLocalDisks: true,
            signal,
            onLine: (line) => step.line(line),
          })
          deps.locator.remember([{ vmid, node: target }])
          step.success(`VM migrated to ${target}`)
          // a running VM is handed over at the end of a live migration: it must answer again
          if (online) {
            const waiting = beginStep(report, 'waiting for ready')
            await deps.waitUntilReady({ ...vm, node: target }, report, signal)
            waiting.success('VM is ready')
          }
          beginStep(report, 'finalizing').fact(`VM ${vmid} is on ${target}`, { vmId: vmid })
        } finally {
          release()
        }
      },
    }
  } catch (error) {
    release()
    throw error
  }
}
