import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Cluster } from '../../src/pve/cluster.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import { createInProcessTransport } from '../../src/sim/faces/in-process-transport.js'
import { createSimulator, type Simulator } from '../../src/sim/index.js'

/**
 * How a clone locks its template, as qemu-server's clone_vm does (API2/Qemu.pm): the source's
 * config flock shared while it is stopped, held for the whole clone, with the new VMID's
 * exclusively. Clones of one template run side by side; a change to the template waits for them.
 */
let sim: Simulator
let cluster: Cluster
let node: string

beforeEach(async () => {
  // slow enough that a clone is still running when the next call comes
  sim = await createSimulator({ speed: 0.2 })
  node = sim.mainNode
  cluster = createApiDriver({
    transport: createInProcessTransport(sim),
    description: 'sim',
    taskPollMs: 5,
  })
  await cluster.stopVm(node, 100)
  await cluster.templateVm(node, 100)
})
afterEach(async () => {
  await sim.close()
})

/** Starts a clone and resolves `begun` once its task prints its first line. */
function startClone(newid: number, lines: string[]): { begun: Promise<void>; done: Promise<void> } {
  let begin = (): void => undefined
  const begun = new Promise<void>((resolve) => {
    begin = resolve
  })
  const done = cluster.cloneVm(node, 100, newid, {
    full: false,
    name: `clone-${newid}`,
    onLine: (line) => {
      lines.push(`${newid}: ${line}`)
      begin()
    },
  })
  return { begun, done }
}

describe('clone locks', () => {
  it('two clones of one template run at once, neither waiting for the other', async () => {
    const lines: string[] = []
    const first = startClone(150, lines)
    await first.begun
    const order: string[] = []
    const second = startClone(151, lines)
    await Promise.all([
      first.done.then(() => order.push('150 done')),
      second.begun.then(() => order.push('151 begun')),
    ])
    await second.done
    // the second began while the first still ran, and no clone waited for a config lock
    expect(order).toEqual(['151 begun', '150 done'])
    expect(lines.filter((line) => line.includes('trying to acquire lock'))).toEqual([])
    const config = await cluster.vmConfig(node, 151)
    expect(config.scsi0).toMatch(/^local-lvm:vm-151-disk-0/)
  })

  it('a change to the template waits until the clone using it has ended', async () => {
    const lines: string[] = []
    const clone = startClone(150, lines)
    await clone.begun
    await cluster.updateVm(node, 100, { description: 'changed' })
    // when the change got the template's lock, the clone had ended: its VM is whole, unlocked
    const made = sim.snapshot().vms.find((vm) => vm.vmid === 150)
    expect(made?.config.lock).toBeUndefined()
    expect(made?.config.scsi0).toMatch(/^local-lvm:vm-150-disk-0/)
    await clone.done
  })
})
