import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { asList, asRecord, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('VM config', () => {
  it('PUT answers null and prints the sorted update line with the password hidden', async () => {
    sim = await buildSim()
    const response = await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', {
      memory: 4096,
      cipassword: 'pw',
      cores: 4,
    })
    expect(response).toMatchObject({
      status: 200,
      data: null,
      stdout: ['update VM 101: -cipassword <hidden> -cores 4 -memory 4096'],
    })
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))).toMatchObject({
      memory: '4096',
      cores: 4,
    })
  })

  it('POST runs the change as a qmconfig task', async () => {
    sim = await buildSim()
    const task = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/config', { name: 'renamed' })
    expect(task.upid).toContain(':qmconfig:101:')
    expect(task.lines).toEqual(['update VM 101: -name renamed'])
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config')).name).toBe('renamed')
  })

  it('POST with background_delay answers null when the worker finished in time', async () => {
    sim = await buildSim()
    expect(
      await call(sim, 'POST', '/nodes/pve2/qemu/101/config', { cores: 3, background_delay: 5 }),
    ).toMatchObject({ status: 200, data: null })
    sim.faults.inject({ operation: 'config', message: 'hotplug failed' })
    expect(
      await call(sim, 'POST', '/nodes/pve2/qemu/101/config', { cores: 4, background_delay: 5 }),
    ).toMatchObject({
      status: 500,
      message: 'failed to update VM 101: hotplug failed',
    })
  })

  it('puts changes to a running VM into pending, applied at the next start', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve1/qemu/100/config', { memory: 4096, name: 'live-name' })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/config'))).toMatchObject({
      memory: '4096',
      name: 'live-name',
    })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/config', { current: 1 })).memory).toBe(
      '2048',
    )
    expect(
      asList(await get(sim, '/nodes/pve1/qemu/100/pending')).find((e) => e.key === 'memory'),
    ).toEqual({ key: 'memory', value: '2048', pending: '4096' })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/status/current')).maxmem).toBe(
      2048 * 1024 * 1024,
    )
    await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/reboot')
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/config', { current: 1 })).memory).toBe(
      '4096',
    )
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/100/status/current')).maxmem).toBe(
      4096 * 1024 * 1024,
    )
  })

  it('warns on deleting a key that is not set and deletes what is', async () => {
    sim = await buildSim()
    const response = await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', {
      delete: 'foo_bar,tags',
    })
    expect(response.errors).toEqual({
      foo_bar:
        'property is not defined in schema and the schema does not allow additional properties',
    })
    const ok = await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { delete: 'description,tags' })
    expect(ok.stderr).toEqual(["cannot delete 'description' - not set in current configuration!"])
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))).not.toHaveProperty('tags')
  })

  it('refuses a locked VM unless root skips the lock', async () => {
    sim = await buildSim()
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { lock: 'backup' })
    expect(await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { cores: 3 })).toMatchObject({
      status: 500,
      message: 'VM is locked (backup)',
    })
    const token = { user: 'svc@pve', tokenId: 'ci', via: 'rest-json' as const }
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { cores: 3, skiplock: 1 }, token))
        .errors,
    ).toEqual({ skiplock: 'Only root may use this option.' })
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { cores: 3, skiplock: 1 })).status,
    ).toBe(200)
  })

  it('refuses a stale digest', async () => {
    sim = await buildSim()
    const { digest } = asRecord(await get(sim, '/nodes/pve2/qemu/101/config'))
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { cores: 6 })
    const stale = await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', {
      cores: 8,
      digest: String(digest),
    })
    expect(stale.message).toBe('checksum mismatch (file change by other user?)')
  })

  it('checks balloon against memory and boot devices', async () => {
    sim = await buildSim()
    // a plain die in update_vm_api (pve.md §10.2), not a parameter error: 500 over REST
    expect(await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { balloon: 4096 })).toMatchObject({
      status: 500,
      message: 'balloon value too large (must be smaller than assigned memory)',
    })
    await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { balloon: 2048 })
    expect(await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { memory: 1024 })).toMatchObject({
      status: 500,
      message: 'balloon value too large (must be smaller than assigned memory)',
    })
    expect(asRecord(await get(sim, '/nodes/pve2/qemu/101/config')).memory).toBe('2048')
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { boot: 'order=scsi0;ide0' })).errors,
    ).toEqual({
      boot: "invalid bootorder: device 'ide0' does not exist'",
    })
  })

  it('adds a cloud-init drive once, refusing a second one', async () => {
    sim = await buildSim({ demoVms: false })
    await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 9003 })
    const added = await call(sim, 'PUT', '/nodes/pve1/qemu/9003/config', {
      ide2: 'local-lvm:cloudinit',
    })
    expect(added.stdout).toEqual([
      'update VM 9003: -ide2 local-lvm:cloudinit',
      '  Logical volume "vm-9003-cloudinit" created.',
      "ide2: successfully created disk 'local-lvm:vm-9003-cloudinit,media=cdrom'",
      'generating cloud-init ISO',
    ])
    const again = await call(sim, 'PUT', '/nodes/pve1/qemu/9003/config', {
      ide0: 'local-lvm:cloudinit',
    })
    expect(again.message).toBe("ide0 - cloud-init drive is already attached at 'ide2'")
  })

  it('turns a detached disk into unused0 and frees it when unused0 is deleted', async () => {
    sim = await buildSim({ demoVms: false })
    await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 170, scsi0: 'local-lvm:4' })
    await call(sim, 'PUT', '/nodes/pve1/qemu/170/config', { delete: 'scsi0' })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/170/config')).unused0).toBe(
      'local-lvm:vm-170-disk-0',
    )
    const freed = await call(sim, 'PUT', '/nodes/pve1/qemu/170/config', { delete: 'unused0' })
    expect(freed.stdout).toContain('  Logical volume "vm-170-disk-0" successfully removed.')
    expect(await get(sim, '/nodes/pve1/storage/local-lvm/content', { vmid: 170 })).toEqual([])
  })

  it('rejects config keys outside the schema and enum values', async () => {
    sim = await buildSim()
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { ostype: 'dos' })).errors,
    ).toEqual({
      ostype:
        "value 'dos' does not have a value in the enumeration 'other, wxp, w2k, w2k3, w2k8, wvista, win7, win8, win10, win11, l24, l26, solaris'",
    })
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { scsi31: 'local-lvm:1' })).errors,
    ).toEqual({
      scsi31:
        'property is not defined in schema and the schema does not allow additional properties',
    })
    expect(
      (await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { tags: 'ok,b@d' })).errors,
    ).toEqual({
      tags: 'invalid format - invalid characters in tag\n',
    })
  })
})
