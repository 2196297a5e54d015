import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { asRecord, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

const stamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} /

describe('migrate', () => {
  it('checks the target and the power state before any task', async () => {
    sim = await buildSim()
    expect(
      (await call(sim, 'POST', '/nodes/pve1/qemu/100/migrate', { target: 'pve1', online: 1 }))
        .errors,
    ).toEqual({ target: 'target is local node.' })
    expect(
      await call(sim, 'POST', '/nodes/pve1/qemu/100/migrate', { target: 'pve9' }),
    ).toMatchObject({ status: 500, message: "no such cluster node 'pve9'" })
    expect(
      await call(sim, 'POST', '/nodes/pve1/qemu/100/migrate', { target: 'pve2' }),
    ).toMatchObject({ status: 500, message: "can't migrate running VM without --online" })
  })

  it('aborts a live migration with local disks unless with-local-disks is given', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu/100/migrate', {
      target: 'pve2',
      online: 1,
    })
    expect(task.exitstatus).toBe('migration aborted')
    const lines = task.lines.map((l) => l.replace(stamp, ''))
    expect(task.lines.every((l) => stamp.test(l))).toBe(true)
    expect(lines).toEqual([
      "starting migration of VM 100 to node 'pve2' (127.0.1.2)",
      "found local disk 'local-lvm:vm-100-cloudinit' (attached)",
      "found local disk 'local-lvm:vm-100-disk-0' (attached)",
      "can't migrate local disk 'local-lvm:vm-100-disk-0': can't live migrate attached local disks without with-local-disks option",
      "ERROR: Problem found while scanning volumes - can't migrate VM - check log",
      'aborting phase 1 - cleanup resources',
      "ERROR: migration aborted (duration 00:00:00): Problem found while scanning volumes - can't migrate VM - check log",
    ])
    expect(sim.snapshot().vms.find((vm) => vm.vmid === 100)).toMatchObject({ node: 'pve1' })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/config'))).not.toHaveProperty('lock')
  })

  it('moves a running VM and its volumes live, with memory progress lines', async () => {
    sim = await buildSim()
    const usedBefore =
      sim.snapshot().storages.find((s) => s.node === 'pve2' && s.storage === 'local-lvm')?.used ?? 0
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu/100/migrate', {
      target: 'pve2',
      online: 1,
      'with-local-disks': 1,
    })
    expect(task.exitstatus).toBe('OK')
    const lines = task.lines.map((l) => l.replace(stamp, ''))
    expect(lines).toContain("starting VM 100 on remote node 'pve2'")
    expect(
      lines.some((l) =>
        /^migration active, transferred [\d.]+ \w+ of 2\.0 GiB VM-state, [\d.]+ \w+\/s$/.test(l),
      ),
    ).toBe(true)
    expect(
      lines.some((l) =>
        /^drive-scsi0: transferred 20\.0 GiB of 20\.0 GiB \(100\.00%\) in \d+s, ready$/.test(l),
      ),
    ).toBe(true)
    expect(lines.at(-1)).toMatch(/^migration finished successfully \(duration \d\d:\d\d:\d\d\)$/)
    expect(await call(sim, 'GET', '/nodes/pve1/qemu/100/status/current')).toMatchObject({
      status: 500,
    })
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/100/status/current')).status).toBe('running')
    const snapshot = sim.snapshot()
    expect(
      snapshot.storages.find((s) => s.node === 'pve1' && s.storage === 'local-lvm')?.volumes,
    ).toEqual([])
    const target = snapshot.storages.find((s) => s.node === 'pve2' && s.storage === 'local-lvm')
    expect(target?.volumes.map((v) => v.volid)).toContain('local-lvm:vm-100-disk-0')
    expect(target?.used).toBeGreaterThan(usedBefore)
  })

  it('migrates a stopped VM offline, copying its disks', async () => {
    sim = await buildSim()
    const response = await call(sim, 'POST', '/nodes/pve2/qemu/101/migrate', {
      target: 'pve3',
      online: 1,
    })
    expect(response.stderr).toEqual(["VM isn't running. Doing offline migration instead."])
    const lines: string[] = []
    expect(
      await sim.followTask(String(response.data), (l) => lines.push(l.replace(stamp, ''))),
    ).toBe('OK')
    expect(lines).toContain('copying local disk images')
    expect(lines).toContain("successfully imported 'local-lvm:vm-101-disk-0'")
    expect(lines).toContain(
      "volume 'local-lvm:vm-101-disk-0' is 'local-lvm:vm-101-disk-0' on the target",
    )
    expect(
      lines.some((l) =>
        /^\d+ bytes \([\d.]+ GB, [\d.]+ GiB\) copied, [\d.]+ s, \d+ MB\/s$/.test(l),
      ),
    ).toBe(true)
    expect(asRecord(await get(sim, '/nodes/pve3/qemu/101/config')).scsi0).toMatch(
      /^local-lvm:vm-101-disk-0,/,
    )
    expect(asRecord(await get(sim, '/nodes/pve3/qemu/101/status/current')).status).toBe('stopped')
  })
})
