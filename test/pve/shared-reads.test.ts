import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Cluster } from '../../src/pve/cluster.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import { withSharedReads } from '../../src/pve/shared-reads.js'
import { createInProcessTransport } from '../../src/sim/faces/in-process-transport.js'
import { createSimulator, type Simulator } from '../../src/sim/index.js'

let sim: Simulator
let reads: number
let statusReads: number
let clock: number
let shared: Cluster

beforeEach(async () => {
  sim = await createSimulator({ speed: 0 })
  const driver = createApiDriver({
    transport: createInProcessTransport(sim),
    description: 'sim',
    taskPollMs: 5,
  })
  reads = 0
  statusReads = 0
  clock = 0
  const counted: Cluster = {
    ...driver,
    resources: (options) => {
      reads += 1
      return driver.resources(options)
    },
    vmStatus: (node, vmid, options) => {
      statusReads += 1
      return driver.vmStatus(node, vmid, options)
    },
  }
  shared = withSharedReads(counted, { ttlMs: 1000, now: () => clock })
})
afterEach(async () => {
  await sim.close()
})

describe('withSharedReads', () => {
  it('answers 200 concurrent reads with one Proxmox read', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => shared.resources()))
    expect(reads).toBe(1)
    expect(results.every((result) => result.vms.length === 3)).toBe(true)
  })

  it('reuses a read until it is older than the ttl', async () => {
    await shared.resources()
    clock += 999
    await shared.resources()
    expect(reads).toBe(1)
    clock += 2
    await shared.resources()
    expect(reads).toBe(2)
  })

  it('reads again after a change made through it', async () => {
    await shared.resources()
    await shared.stopVm(sim.mainNode, 100)
    const after = await shared.resources()
    expect(reads).toBe(2)
    expect(after.vms.find((vm) => vm.vmid === 100)?.status).toBe('stopped')
  })

  it('reads a changed VM once after the change, not on every list of the lag window', async () => {
    await shared.stopVm(sim.mainNode, 100)
    for (let list = 0; list < 5; list += 1) {
      clock += 1001
      const listed = await shared.resources()
      expect(listed.vms.find((vm) => vm.vmid === 100)?.status).toBe('stopped')
    }
    expect(reads).toBe(5)
    expect(statusReads).toBe(1)
    // a new change is read again
    await shared.startVm(sim.mainNode, 100)
    clock += 1001
    expect((await shared.resources()).vms.find((vm) => vm.vmid === 100)?.status).toBe('running')
    expect(statusReads).toBe(2)
  })
})
