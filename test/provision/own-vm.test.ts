import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Cluster } from '../../src/pve/cluster.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import { ownershipStamp, removeOwnVm } from '../../src/provision/own-vm.js'
import { createInProcessTransport } from '../../src/sim/faces/in-process-transport.js'
import { createSimulator, type Simulator } from '../../src/sim/index.js'

let sim: Simulator
let cluster: Cluster
let node: string

beforeEach(async () => {
  sim = await createSimulator({ speed: 0 })
  node = sim.mainNode
  cluster = createApiDriver({
    transport: createInProcessTransport(sim),
    description: 'sim',
    taskPollMs: 5,
  })
})
afterEach(async () => {
  await sim.close()
})

describe('removeOwnVm', () => {
  it('removes its VM even when a start it did not see finishes after the status read', async () => {
    await cluster.createVm(node, 150, { name: 'half-made', description: ownershipStamp('job-1') })
    // the cancelled install's `qm start` is still in Proxmox's hands when the rollback begins
    const held = sim.faults.hold({ operation: 'start', vmid: 150 })
    const start = cluster.startVm(node, 150).catch(() => undefined)
    await held.reached
    let statusRead = (): void => undefined
    const readDone = new Promise<void>((resolve) => {
      statusRead = resolve
    })
    const observed = new Proxy(cluster, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver)
        if (key !== 'vmStatus') return value
        return async (...args: Parameters<Cluster['vmStatus']>) => {
          const status = await target.vmStatus(...args)
          statusRead()
          return status
        }
      },
    })
    const removal = removeOwnVm(observed, { node, vmid: 150, jobId: 'job-1' })
    await readDone
    // the rollback has read "stopped"; the start completes before its destroy is decided
    held.release()
    await start
    expect(await removal).toBe('removed')
    expect((await cluster.resources()).vms.some((vm) => vm.vmid === 150)).toBe(false)
  })
})
