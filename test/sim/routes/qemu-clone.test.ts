import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { baseVolid, linkedCloneVolid } from '../../../src/sim/operations/linked-clones.js'
import { defaultStorages } from '../../../src/sim/state/nodes.js'
import type { SimVolume } from '../../../src/sim/state/types.js'
import { asList, asRecord, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

/** Volume ids on a node's storage, as `GET .../storage/{s}/content` lists them. */
async function volids(node: string, storage: string): Promise<string[]> {
  const content = asList(await get(sim, `/nodes/${node}/storage/${storage}/content`))
  return content.map((entry) => String(entry.volid)).sort()
}

/** Demo VM 101 (stopped, pve2, local-lvm) made a template. */
async function template101(): Promise<void> {
  const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/template')
  expect(task.upid).toContain(':qmtemplate:101:')
  expect(task.exitstatus).toBe('OK')
}

describe('qm template (POST .../template)', () => {
  it('renames the disks to base-* and sets template: 1', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/template')
    expect(task.lines).toContain(
      '  Renamed "vm-101-disk-0" to "base-101-disk-0" in volume group "pve"',
    )
    const config = asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))
    expect(config.template).toBe(1)
    expect(String(config.scsi0)).toMatch(/^local-lvm:base-101-disk-0,/)
    expect(await volids('pve2', 'local-lvm')).toContain('local-lvm:base-101-disk-0')
  })

  it('refuses a running VM and a template, before any task', async () => {
    sim = await buildSim()
    expect(await call(sim, 'POST', '/nodes/pve1/qemu/100/template')).toMatchObject({
      status: 500,
      message: "you can't convert a VM to template if VM is running",
    })
    await template101()
    expect(await call(sim, 'POST', '/nodes/pve2/qemu/101/template')).toMatchObject({
      status: 500,
      message: "you can't convert a template to a template",
    })
  })
})

describe('qm clone (POST .../clone)', () => {
  it('makes a linked clone of a template: a thin volume backed by the base, a fresh identity', async () => {
    sim = await buildSim()
    await template101()
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/clone', {
      newid: 150,
      name: 'web-150',
    })
    expect(task.upid).toContain(':qmclone:101:')
    expect(task.exitstatus).toBe('OK')
    expect(task.lines).toContain('create linked clone of drive scsi0 (local-lvm:base-101-disk-0)')
    const source = asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))
    const clone = asRecord(await get(sim, '/nodes/pve2/qemu/150/config'))
    expect(clone.name).toBe('web-150')
    expect(clone.template).toBeUndefined()
    expect(String(clone.scsi0)).toMatch(/^local-lvm:vm-150-disk-0,/)
    expect(clone.smbios1).not.toBe(source.smbios1)
    expect(clone.vmgenid).not.toBe(source.vmgenid)
    expect(await volids('pve2', 'local-lvm')).toEqual(
      expect.arrayContaining(['local-lvm:base-101-disk-0', 'local-lvm:vm-150-disk-0']),
    )
  })

  it('names linked clones on a directory storage after their base (pve.md §2.9)', () => {
    const storage = defaultStorages()[0]
    if (storage === undefined) throw new Error('no default storage')
    const base: SimVolume = {
      volid: 'local:300/base-300-disk-0.qcow2',
      node: 'pve1',
      storage: 'local',
      content: 'images',
      format: 'qcow2',
      size: 1024 ** 3,
      used: 0,
      vmid: 300,
      ctime: 0,
    }
    const state = { nodes: [], volumes: [base], vms: new Map() }
    expect(linkedCloneVolid(state, 'pve1', storage, base, 301)).toBe(
      'local:300/base-300-disk-0.qcow2/301/vm-301-disk-0.qcow2',
    )
    expect(baseVolid('local:300/vm-300-disk-0.qcow2')).toBe('local:300/base-300-disk-0.qcow2')
    expect(baseVolid('local-lvm:vm-300-disk-1')).toBe('local-lvm:base-300-disk-1')
  })

  it('refuses a linked clone of a VM that is not a template (running or not)', async () => {
    sim = await buildSim()
    const running = await call(sim, 'POST', '/nodes/pve1/qemu/100/clone', { newid: 150, full: 0 })
    expect(running.status).toBe(500)
    expect(running.message).toMatch(
      /^Linked clone feature is not supported for 'local-lvm:vm-100-disk-0' \(scsi0\)/,
    )
    const stopped = await call(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150, full: 0 })
    expect(stopped.message).toMatch(/^Linked clone feature is not supported for/)
    expect(
      asList(await get(sim, '/cluster/resources', { type: 'vm' })).map((vm) => vm.vmid),
    ).not.toContain(150)
  })

  it('refuses storage options for a linked clone, a taken VMID and local storage to another node', async () => {
    sim = await buildSim()
    await template101()
    expect(
      (await call(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150, storage: 'local-lvm' }))
        .errors,
    ).toEqual({ storage: "parameter 'storage' not allowed for linked clones" })
    expect(await call(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 100 })).toMatchObject({
      status: 500,
      message: 'unable to create VM 100: config file already exists',
    })
    expect(
      await call(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150, target: 'pve3' }),
    ).toMatchObject({
      status: 500,
      message: "can't clone VM to node 'pve3' (VM uses local storage)",
    })
  })

  it('makes a full clone of a stopped VM by copying its disk', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150 })
    expect(task.exitstatus).toBe('OK')
    expect(task.lines).toContain('create full clone of drive scsi0 (local-lvm:vm-101-disk-0)')
    expect(task.lines.some((line) => line.startsWith('transferred '))).toBe(true)
  })

  it('fails and removes what it made when the clone task fails', async () => {
    sim = await buildSim()
    await template101()
    const before = await volids('pve2', 'local-lvm')
    sim.faults.inject({ operation: 'clone', vmid: 150 })
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150 })
    expect(task.exitstatus).toMatch(/^clone failed: /)
    expect(await volids('pve2', 'local-lvm')).toEqual(before)
    expect((await call(sim, 'GET', '/nodes/pve2/qemu/150/config')).status).toBe(500)
  })
})

describe('what linked clones forbid', () => {
  it("refuses to destroy a template whose base a clone uses, with Proxmox's message", async () => {
    sim = await buildSim()
    await template101()
    await runTask(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150 })
    const refused = await runTask(sim, 'DELETE', '/nodes/pve2/qemu/101')
    expect(refused.exitstatus).toBe(
      "base volume 'local-lvm:base-101-disk-0' is still in use by linked cloned",
    )
    expect(await volids('pve2', 'local-lvm')).toContain('local-lvm:base-101-disk-0')
    expect((await runTask(sim, 'DELETE', '/nodes/pve2/qemu/150')).exitstatus).toBe('OK')
    expect((await runTask(sim, 'DELETE', '/nodes/pve2/qemu/101')).exitstatus).toBe('OK')
    expect(await volids('pve2', 'local-lvm')).not.toContain('local-lvm:base-101-disk-0')
  })

  it('refuses to migrate a linked clone on local storage', async () => {
    sim = await buildSim()
    await template101()
    await runTask(sim, 'POST', '/nodes/pve2/qemu/101/clone', { newid: 150 })
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/150/migrate', {
      target: 'pve3',
      'with-local-disks': 1,
    })
    expect(task.exitstatus).toBe(
      "can't migrate 'local-lvm:vm-150-disk-0' as it's a clone of 'local-lvm:base-101-disk-0'",
    )
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/150/status/current')).status).toBe('stopped')
  })

  it('refuses to start a template', async () => {
    sim = await buildSim()
    await template101()
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')
    expect(task.exitstatus).toBe("you can't start a vm if it's a template")
  })
})
