import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { asRecord, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('resize', () => {
  it('grows a disk in a resize task with LVM output and rewrites size=', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'PUT', '/nodes/pve2/qemu/101/resize', {
      disk: 'scsi0',
      size: '+10G',
    })
    expect(task.upid).toContain(':resize:101:')
    expect(task.exitstatus).toBe('OK')
    expect(task.lines).toEqual([
      '  Size of logical volume pve/vm-101-disk-0 changed from 20.00 GiB (5120 extents) to 30.00 GiB (7680 extents).',
      '  Logical volume pve/vm-101-disk-0 successfully resized.',
    ])
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config')).scsi0).toBe(
      'local-lvm:vm-101-disk-0,discard=on,iothread=1,size=30G,ssd=1',
    )
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/status/current')).maxdisk).toBe(
      30 * 1024 ** 3,
    )
  })

  it('refuses to shrink, a missing disk and a bad size in the PVE wording', async () => {
    sim = await buildSim()
    expect(
      (await runTask(sim, 'PUT', '/nodes/pve2/qemu/101/resize', { disk: 'scsi0', size: '10G' }))
        .exitstatus,
    ).toBe('shrinking disks is not supported')
    expect(
      (await runTask(sim, 'PUT', '/nodes/pve2/qemu/101/resize', { disk: 'scsi3', size: '+1G' }))
        .exitstatus,
    ).toBe("disk 'scsi3' does not exist")
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/resize', { disk: 'scsi0', size: '10GB' }))
        .errors,
    ).toEqual({ size: 'value does not match the regex pattern' })
    expect(
      (await runTask(sim, 'PUT', '/nodes/pve2/qemu/101/resize', { disk: 'ide2', size: '+1G' }))
        .exitstatus,
    ).toBe("you can't resize a cdrom")
  })
})

describe('destroy', () => {
  it('refuses a running VM and a protected one before any task', async () => {
    sim = await buildSim()
    expect(await call(sim, 'DELETE', '/nodes/pve1/qemu/100')).toMatchObject({
      status: 500,
      message: 'VM 100 is running - destroy failed',
    })
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { protection: 1 })
    expect(await call(sim, 'DELETE', '/nodes/pve2/qemu/101')).toMatchObject({
      status: 500,
      message: "can't remove VM 101 - protection mode enabled",
    })
  })

  it('removes the VM and its volumes, printing the LVM lines', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'DELETE', '/nodes/pve2/qemu/101', {
      purge: 1,
      'destroy-unreferenced-disks': 1,
    })
    expect(task.upid).toContain(':qmdestroy:101:')
    expect(task.lines).toEqual([
      '  Logical volume "vm-101-cloudinit" successfully removed.',
      '  Logical volume "vm-101-disk-0" successfully removed.',
      'purging VM 101 from related configurations..',
    ])
    expect(sim.snapshot().vms.map((vm) => vm.vmid)).toEqual([100, 102])
    expect(await get(sim, '/nodes/pve2/storage/local-lvm/content')).toEqual([])
    expect(await call(sim, 'GET', '/nodes/pve2/qemu/101/config')).toMatchObject({ status: 500 })
  })

  it('keeps unreferenced volumes unless asked to destroy them', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { delete: 'scsi0' })
    const unused = String(asRecord(await get(sim, '/nodes/pve2/qemu/101/config')).unused0)
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { unused0: unused })
    sim.snapshot()
    await runTask(sim, 'DELETE', '/nodes/pve2/qemu/101')
    expect(await get(sim, '/nodes/pve2/storage/local-lvm/content')).toEqual([])
  })
})
