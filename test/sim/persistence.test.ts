import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { asRecord, buildSim, call, get, runTask } from './helpers.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-state-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('persistence', () => {
  it('keeps VMs, configs, volumes and power state across simulators', async () => {
    const first = await buildSim({ dataDir: dir })
    await runTask(first, 'POST', '/nodes/pve2/qemu', {
      vmid: 500,
      name: 'kept',
      scsi0: 'local-lvm:4',
      start: 1,
    })
    await call(first, 'PUT', '/nodes/pve1/qemu/100/config', { memory: 4096 })
    await first.close()
    expect(await readdir(dir)).toEqual(['sim-state.json'])
    const second = await buildSim({ dataDir: dir })
    expect(asRecord(await get(second, '/nodes/pve2/qemu/500/config'))).toMatchObject({
      name: 'kept',
      scsi0: 'local-lvm:vm-500-disk-0,size=4G',
    })
    expect(asRecord(await get(second, '/nodes/pve2/qemu/500/status/current')).status).toBe(
      'running',
    )
    expect(asRecord(await get(second, '/nodes/pve1/qemu/100/config')).memory).toBe('4096')
    expect(asRecord(await get(second, '/nodes/pve1/qemu/100/config', { current: 1 })).memory).toBe(
      '2048',
    )
    expect(
      second
        .snapshot()
        .storages.find((s) => s.node === 'pve2' && s.storage === 'local-lvm')
        ?.volumes.map((v) => v.volid),
    ).toContain('local-lvm:vm-500-disk-0')
    await second.close()
  })

  it('does not seed demo VMs into a saved state that has none', async () => {
    const first = await buildSim({ dataDir: dir })
    for (const vmid of [100, 102])
      await runTask(
        first,
        'POST',
        `/nodes/${vmid === 100 ? 'pve1' : 'pve3'}/qemu/${vmid}/status/stop`,
      )
    for (const [node, vmid] of [
      ['pve1', 100],
      ['pve2', 101],
      ['pve3', 102],
    ] as const)
      await runTask(first, 'DELETE', `/nodes/${node}/qemu/${vmid}`)
    await first.close()
    const second = await buildSim({ dataDir: dir })
    expect(second.snapshot().vms).toEqual([])
    await second.close()
  })

  it('settles a VM saved mid-create by removing it and its volumes', async () => {
    const first = await buildSim({ dataDir: dir, demoVms: false })
    await runTask(first, 'POST', '/nodes/pve1/qemu', { vmid: 600, scsi0: 'local-lvm:4' })
    await first.close()
    const file = join(dir, 'sim-state.json')
    const saved = JSON.parse(await readFile(file, 'utf8')) as {
      vms: { config: Record<string, string> }[]
    }
    const vm = saved.vms[0]
    if (vm) vm.config.lock = 'create'
    await writeFile(file, JSON.stringify(saved))
    const second = await buildSim({ dataDir: dir })
    expect(second.snapshot().vms).toEqual([])
    expect(second.snapshot().storages.flatMap((s) => s.volumes)).toEqual([])
    await second.close()
  })

  it('refuses a state file that is not one, naming the file', async () => {
    await writeFile(join(dir, 'sim-state.json'), '{"hello":1}')
    await expect(buildSim({ dataDir: dir })).rejects.toThrow(
      `${join(dir, 'sim-state.json')} does not hold a simulator state`,
    )
  })
})
