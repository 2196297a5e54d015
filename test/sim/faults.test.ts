import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { qcow2Header } from '../../src/sim/index.js'
import type { Simulator } from '../../src/sim/index.js'
import { asRecord, buildSim, call, get, runTask } from './helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('fault injection', () => {
  it('fails the next matching start once, then starts normally', async () => {
    sim = await buildSim()
    sim.faults.inject({ operation: 'start', vmid: 101 })
    expect((await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')).exitstatus).toBe(
      'start failed: QEMU exited with code 1',
    )
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/status/current')).status).toBe('stopped')
    expect((await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')).exitstatus).toBe('OK')
  })

  it('fails a create with the given message, wrapped, leaving nothing behind', async () => {
    sim = await buildSim({ demoVms: false })
    sim.faults.inject({ operation: 'create', message: 'lvcreate failed', times: 2 })
    for (const vmid of [700, 701]) {
      expect(
        (await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid, scsi0: 'local-lvm:4' })).exitstatus,
      ).toBe(`unable to create VM ${vmid} - lvcreate failed`)
    }
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 702 })).exitstatus).toBe('OK')
    expect(sim.snapshot().vms.map((vm) => vm.vmid)).toEqual([702])
  })

  it('fails an import part way and frees its volume', async () => {
    sim = await buildSim({ demoVms: false })
    const dir = await mkdtemp(join(tmpdir(), 'sim-fault-'))
    await writeFile(join(dir, 'x.qcow2'), qcow2Header(1024 ** 3))
    sim.faults.inject({ operation: 'import' })
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 710,
      scsi0: `local-lvm:0,import-from=${join(dir, 'x.qcow2')}`,
    })
    await rm(dir, { recursive: true })
    expect(task.exitstatus).toMatch(
      /^unable to create VM 710 - cannot import from '.*x\.qcow2' - copy failed: command '\/usr\/bin\/qemu-img convert/,
    )
    expect(task.lines.filter((l) => l.startsWith('transferred')).length).toBeLessThan(60)
    expect(sim.snapshot().storages.flatMap((s) => s.volumes)).toEqual([])
  })

  it('fails stop, destroy, resize, config and migrate in their own way', async () => {
    sim = await buildSim()
    sim.faults.inject({ operation: 'stop', vmid: 100 })
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/stop')).exitstatus).toBe(
      "VM 100 qmp command 'quit' failed - got timeout",
    )
    sim.faults.inject({ operation: 'config' })
    expect(await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { cores: 4 })).toMatchObject({
      status: 500,
    })
    sim.faults.inject({ operation: 'resize', message: 'resize broke' })
    expect(
      (await runTask(sim, 'PUT', '/nodes/pve2/qemu/101/resize', { disk: 'scsi0', size: '+1G' }))
        .exitstatus,
    ).toBe('resize broke')
    sim.faults.inject({ operation: 'destroy' })
    expect((await runTask(sim, 'DELETE', '/nodes/pve2/qemu/101')).exitstatus).toMatch(/^lvremove/)
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))).not.toHaveProperty('lock')
    sim.faults.inject({ operation: 'migrate', message: 'network unreachable' })
    const migrate = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/migrate', { target: 'pve1' })
    expect(migrate.exitstatus).toBe('migration aborted')
    expect(migrate.lines.at(-1)).toMatch(
      /ERROR: migration aborted \(duration 00:00:00\): network unreachable$/,
    )
  })

  it('clears armed faults', async () => {
    sim = await buildSim()
    sim.faults.inject({ operation: 'start' })
    sim.faults.clear()
    expect((await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')).exitstatus).toBe('OK')
  })
})

describe('holding an operation (a latch for tests that act while it runs)', () => {
  it('keeps a migration running with the VM locked until released, then lets it finish', async () => {
    sim = await buildSim()
    const hold = sim.faults.hold({ operation: 'migrate', vmid: 100 })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu/100/migrate', {
      target: 'pve3',
      online: 1,
      'with-local-disks': 1,
    })
    let ended = false
    const done = sim.followTask(String(response.data)).finally(() => {
      ended = true
    })
    expect(await hold.reached).toBe(100)
    // at speed 0 nothing else would keep it running: only the hold does
    await new Promise((resolve) => setImmediate(resolve))
    expect(ended).toBe(false)
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/status/current')).lock).toBe('migrate')
    // another VM's operations are not held
    expect((await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')).exitstatus).toBe('OK')
    hold.release()
    expect(await done).toBe('OK')
    expect(sim.snapshot().vms.find((vm) => vm.vmid === 100)?.node).toBe('pve3')
  })

  it('releases every hold on clear, and a closing simulator ends a held task', async () => {
    sim = await buildSim()
    const hold = sim.faults.hold({ operation: 'stop' })
    const stopped = runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/stop')
    expect(await hold.reached).toBe(100)
    sim.faults.clear()
    expect((await stopped).exitstatus).toBe('OK')

    const start = sim.faults.hold({ operation: 'start', vmid: 101 })
    const started = runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')
    await start.reached
    await sim.close()
    expect((await started).exitstatus).not.toBe('OK')
  })
})
