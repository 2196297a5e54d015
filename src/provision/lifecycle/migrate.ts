import { InvalidInputError } from '../errors.js'
import { beginStep } from '../progress.js'
import type { LifecycleDeps, PlannedOperation } from './deps.js'
import type { LocatedVm } from './vm-locator.js'

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
    const config = await deps.cluster.vmConfig(vm.node, vm.vmid)
    await checkTargetBridges(deps, vm, config, target)
    await checkTargetSnippets(deps, vm, config, target)
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

/** `bridge=vmbr1` of each `netN` of a config: the bridges a VM needs wherever it runs. */
export function bridgesOf(config: Record<string, string>): string[] {
  const found = Object.entries(config)
    .filter(([key]) => /^net\d+$/.test(key))
    .map(([, value]) => /(?:^|,)bridge=([^,]+)/.exec(value)?.[1])
    .filter((bridge): bridge is string => bridge !== undefined)
  return [...new Set(found)]
}

/**
 * The target node must have every bridge of the VM's NICs: Proxmox moves the VM first and only
 * its start there fails (`bridge 'vmbr1' does not exist`), an offline VM silently so. Refused
 * before anything moves (400 naming `node` and the bridge). Checked when NETWORKS_FILE defines
 * the networks; the seed's vmbr0 never was.
 */
async function checkTargetBridges(
  deps: LifecycleDeps,
  vm: LocatedVm,
  config: Record<string, string>,
  target: string,
): Promise<void> {
  if (!deps.networks.fromFile) return
  const needed = bridgesOf(config)
  if (needed.length === 0) return
  const there = new Set((await deps.cluster.nodeBridges(target)).map((bridge) => bridge.iface))
  const missing = needed.filter((bridge) => !there.has(bridge))
  if (missing.length > 0)
    throw new InvalidInputError(
      'node',
      `node ${target} has no bridge ${missing.join(', ')}, which VM ${vm.vmid} is connected to; nothing was moved`,
    )
}

/** The volids of `cicustom: user=<volid>,vendor=<volid>,…` (volids hold no comma). */
export function snippetsOf(config: Record<string, string>): string[] {
  const text = config.cicustom ?? ''
  return text
    .split(',')
    .map((part) => part.slice(part.indexOf('=') + 1))
    .filter((volid) => volid.includes(':'))
}

/**
 * The target node must have the storage of every `cicustom` snippet, enabled and holding
 * snippets: qemu-server reads them whenever it builds the cloud-init drive, at every start, and
 * fails there (`can't find file '<volid>'`), after the VM has moved. Refused before anything
 * moves (400 naming `node`). Whether the file itself is there no API call tells.
 */
async function checkTargetSnippets(
  deps: LifecycleDeps,
  vm: LocatedVm,
  config: Record<string, string>,
  target: string,
): Promise<void> {
  const volids = snippetsOf(config)
  if (volids.length === 0) return
  const storages = await deps.cluster.nodeStorages(target)
  for (const volid of volids) {
    const id = volid.slice(0, volid.indexOf(':'))
    const storage = storages.find((entry) => entry.storage === id)
    if (storage === undefined || !storage.enabled || !storage.content.includes('snippets'))
      throw new InvalidInputError(
        'node',
        `node ${target} has no enabled storage ${id} with snippets, and VM ${vm.vmid}'s cloud-init reads ${volid} (cicustom) at every start; nothing was moved`,
      )
  }
}
