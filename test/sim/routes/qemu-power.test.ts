import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { asRecord, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('VM power', () => {
  it('start on a running VM answers a UPID and fails in the task', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/start')
    expect(task.upid).toContain(':qmstart:100:root@pam:')
    expect(task.exitstatus).toBe('VM 100 already running')
    const log = await get(sim, `/nodes/pve1/tasks/${task.upid}/log`)
    expect(log).toEqual([{ n: 1, t: 'TASK ERROR: VM 100 already running' }])
  })

  it('start on another node fails in the task with the missing config', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu/101/status/start')
    expect(task.exitstatus).toBe(
      "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist",
    )
  })

  it('starts a stopped VM, regenerating cloud-init, and emits vm-started', async () => {
    sim = await buildSim()
    const started: number[] = []
    sim.on('vm-started', (vm) => started.push(vm.vmid))
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')
    expect(task).toMatchObject({ exitstatus: 'OK', lines: ['generating cloud-init ISO'] })
    expect(started).toEqual([101])
    const status = asRecord(await get(sim, '/nodes/pve2/qemu/101/status/current'))
    expect(status).toMatchObject({ status: 'running', qmpstatus: 'running', agent: 1, serial: 1 })
    expect(status.pid).toEqual(expect.any(Number))
    expect(Number(status.mem)).toBeGreaterThan(0)
  })

  it('stop and shutdown of a stopped VM succeed; shutdown warns first', async () => {
    sim = await buildSim()
    expect((await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/stop')).exitstatus).toBe('OK')
    const response = await call(sim, 'POST', '/nodes/pve2/qemu/101/status/shutdown')
    expect(response.stderr).toEqual(['VM 101 not running', ''])
    expect(await sim.followTask(String(response.data))).toBe('OK')
  })

  it('stops and shuts down running VMs and emits vm-stopped', async () => {
    sim = await buildSim()
    const stopped: number[] = []
    sim.on('vm-stopped', (vm) => stopped.push(vm.vmid))
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/shutdown')).exitstatus).toBe(
      'OK',
    )
    expect((await runTask(sim, 'POST', '/nodes/pve3/qemu/102/status/stop')).exitstatus).toBe('OK')
    expect(stopped).toEqual([100, 102])
    const status = asRecord(await get(sim, '/nodes/pve1/qemu/100/status/current'))
    expect(status).toMatchObject({ status: 'stopped', qmpstatus: 'stopped', uptime: 0, mem: 0 })
    expect(status).not.toHaveProperty('pid')
  })

  it('reboot of a stopped VM dies before any task', async () => {
    sim = await buildSim()
    expect(await call(sim, 'POST', '/nodes/pve2/qemu/101/status/reboot')).toMatchObject({
      status: 500,
      message: 'VM 101 not running',
    })
    expect(await call(sim, 'POST', '/nodes/pve1/qemu/101/status/reboot')).toMatchObject({
      status: 500,
      message: "unable to find configuration file for VM 101 on node 'pve1'",
    })
  })

  it('stop of a missing VM fails in the task with the running-check wording', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu/555/status/stop')
    expect(task.exitstatus).toBe("unable to find configuration file for VM 555 on node 'pve1'")
  })

  it('shutdown with a timeout shorter than the guest needs fails, or stops with forceStop', async () => {
    sim = await buildSim()
    expect(
      (await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/shutdown', { timeout: 1 }))
        .exitstatus,
    ).toBe('VM quit/powerdown failed - got timeout')
    const forced = await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/shutdown', {
      timeout: 1,
      forceStop: 1,
    })
    expect(forced).toMatchObject({
      exitstatus: 'OK',
      lines: ['VM still running - terminating now with SIGTERM'],
    })
  })

  it('refuses to start a VM whose CPU model the host cannot run', async () => {
    sim = await buildSim({
      cpuFlags: { pve2: ['fpu', 'cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3', 'aes'] },
    })
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { cpu: 'x86-64-v3' })
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')
    expect(task.exitstatus).toBe('start failed: QEMU exited with code 1')
    expect(task.lines).toContain(
      "kvm: warning: host doesn't support requested feature: CPUID.07H:EBX.avx2 [bit 5]",
    )
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/status/current')).status).toBe('stopped')
  })

  it('refuses to start a template', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { template: 1 })
    expect((await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')).exitstatus).toBe(
      "you can't start a vm if it's a template",
    )
  })
})

describe('locks and protection (pve.md §10.4)', () => {
  it('stop --skiplock kills a locked VM, as real Proxmox does; a plain stop refuses it', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve1/qemu/100/config', { lock: 'backup' })
    const refused = await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/stop')
    expect(refused.exitstatus).toBe('VM is locked (backup)')
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/status/current')).status).toBe('running')
    const killed = await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/stop', { skiplock: 1 })
    expect(killed.exitstatus).toBe('OK')
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/status/current'))).toMatchObject({
      status: 'stopped',
      lock: 'backup',
    })
  })

  it('a stop of a stopped VM succeeds before the lock is looked at', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { lock: 'backup' })
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/stop')
    expect(task.exitstatus).toBe('OK')
  })

  it('destroy refuses a locked VM in its task, naming the lock, and keeps everything', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { lock: 'snapshot' })
    const task = await runTask(sim, 'DELETE', '/nodes/pve2/qemu/101', { purge: 1 })
    expect(task.exitstatus).toBe('VM is locked (snapshot)')
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))).toMatchObject({
      lock: 'snapshot',
    })
    expect(JSON.stringify(sim.snapshot())).toContain('vm-101-disk-0')
  })

  it('destroy refuses a protected VM before any task, with the exact wording', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { protection: 1 })
    expect(await call(sim, 'DELETE', '/nodes/pve2/qemu/101', { skiplock: 1 })).toMatchObject({
      status: 500,
      message: "can't remove VM 101 - protection mode enabled",
    })
    expect(JSON.stringify(sim.snapshot())).toContain('vm-101-disk-0')
  })
})
