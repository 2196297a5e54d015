import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Cluster } from '../../src/pve/cluster.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import { withSharedReads } from '../../src/pve/shared-reads.js'
import { createInProcessTransport } from '../../src/sim/faces/in-process-transport.js'
import { createSimulator, type Simulator } from '../../src/sim/index.js'

let sim: Simulator
let reads: number
let statusReads: number
let storageReads: number
let clock: number
let shared: Cluster
/** the driver itself: changes through it are made "by hand", not through the wrapper */
let driver: Cluster

beforeEach(async () => {
  sim = await createSimulator({ speed: 0 })
  driver = createApiDriver({
    transport: createInProcessTransport(sim),
    description: 'sim',
    taskPollMs: 5,
  })
  reads = 0
  statusReads = 0
  storageReads = 0
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
    nodeStorages: (node, options) => {
      storageReads += 1
      return driver.nodeStorages(node, options)
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

  it("shares one read of a node's storages among concurrent callers and for the ttl", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => shared.nodeStorages(sim.mainNode)),
    )
    expect(storageReads).toBe(1)
    expect(results.every((storages) => storages.some((s) => s.storage === 'local-lvm'))).toBe(true)
    // reused within the ttl, read again after it
    clock += 999
    await shared.nodeStorages(sim.mainNode)
    expect(storageReads).toBe(1)
    clock += 2
    await shared.nodeStorages(sim.mainNode)
    expect(storageReads).toBe(2)
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

  it('shows a change made through it at once, patched from the change, without reading again', async () => {
    await shared.resources()
    await shared.stopVm(sim.mainNode, 100)
    const afterStop = await shared.resources()
    expect(afterStop.vms.find((vm) => vm.vmid === 100)?.status).toBe('stopped')
    await shared.startVm(sim.mainNode, 100)
    expect((await shared.resources()).vms.find((vm) => vm.vmid === 100)?.status).toBe('running')
    await shared.stopVm(sim.mainNode, 100)
    await shared.destroyVm(sim.mainNode, 100)
    expect((await shared.resources()).vms.some((vm) => vm.vmid === 100)).toBe(false)
    await shared.createVm(sim.mainNode, 150, {
      name: 'fresh',
      cores: '2',
      sockets: '2',
      memory: '1024',
      tags: 'debian',
    })
    const created = (await shared.resources()).vms.find((vm) => vm.vmid === 150)
    expect(created).toMatchObject({
      node: sim.mainNode,
      status: 'stopped',
      name: 'fresh',
      maxcpu: 4,
      maxmem: 1024 * 1024 * 1024,
      tags: ['debian'],
    })
    expect(reads).toBe(1)
    expect(statusReads).toBe(0)
  })

  it('lists a clone as the new VM it made, and leaves its source as it was', async () => {
    await shared.stopVm(sim.mainNode, 100)
    await shared.templateVm(sim.mainNode, 100)
    const before = await shared.resources()
    expect(before.vms.find((vm) => vm.vmid === 100)?.template).toBe(true)
    await shared.cloneVm(sim.mainNode, 100, 160, { full: false, name: 'linked' })
    const listed = await shared.resources()
    expect(listed.vms.find((vm) => vm.vmid === 160)).toMatchObject({
      name: 'linked',
      status: 'stopped',
      template: false,
    })
    expect(listed.vms.find((vm) => vm.vmid === 100)?.template).toBe(true)
    expect(reads).toBe(1)
    expect(statusReads).toBe(0)
  })

  it('reads a VM once after a change that failed, whose outcome is unknown', async () => {
    await shared.resources()
    // 100 runs already: a start fails
    const vm = (await shared.resources()).vms.find((entry) => entry.vmid === 100)
    expect(vm?.status).toBe('running')
    await expect(shared.startVm(sim.mainNode, 100)).rejects.toThrow()
    for (let list = 0; list < 3; list += 1) {
      clock += 1001
      expect((await shared.resources()).vms.find((entry) => entry.vmid === 100)?.status).toBe(
        'running',
      )
    }
    expect(statusReads).toBe(1)
    // the failure dropped the cached list: the next list read Proxmox again
    expect(reads).toBe(4)
  })

  it('shows what others changed: fields the service did not set, and everything after the window', async () => {
    await shared.stopVm(sim.mainNode, 100)
    // someone renames the VM by hand (not through this wrapper)
    await driver.updateVm(sim.mainNode, 100, { name: 'renamed' })
    clock += 1001
    const listed = (await shared.resources()).vms.find((vm) => vm.vmid === 100)
    expect(listed).toMatchObject({ name: 'renamed', status: 'stopped' })
    // and starts it: within the lag window the list keeps what this service did last …
    await driver.startVm(sim.mainNode, 100)
    clock += 13_000
    // … after it, Proxmox's list is the truth again
    expect((await shared.resources()).vms.find((vm) => vm.vmid === 100)?.status).toBe('running')
    expect(statusReads).toBe(0)
  })
})
