import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { qcow2Header } from '../../../src/sim/index.js'
import type { Simulator } from '../../../src/sim/index.js'
import { asList, asRecord, buildSim, call, get, runTask, UPID_PATTERN } from '../helpers.js'

let sim: Simulator
let dir: string
let image: string
const GiB = 1024 ** 3

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-create-'))
  image = join(dir, 'noble.qcow2')
  await writeFile(image, qcow2Header(3.5 * GiB))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(async () => {
  await sim.close()
})

describe('POST /nodes/{node}/qemu', () => {
  it('creates a disk with LVM output and writes the config PVE writes', async () => {
    sim = await buildSim({ demoVms: false })
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 101,
      name: 'web01',
      memory: 2048,
      cores: 2,
      scsi0: 'local-lvm:32,discard=on',
      net0: 'virtio,bridge=vmbr0',
      scsihw: 'virtio-scsi-single',
    })
    expect(task.upid).toMatch(UPID_PATTERN)
    expect(task.upid).toContain(':qmcreate:101:root@pam:')
    expect(task.exitstatus).toBe('OK')
    expect(task.lines).toEqual([
      '  Logical volume "vm-101-disk-0" created.',
      "scsi0: successfully created disk 'local-lvm:vm-101-disk-0,discard=on,size=32G'",
    ])
    const config = asRecord(await get(sim, '/nodes/pve1/qemu/101/config'))
    expect(config).toMatchObject({
      name: 'web01',
      memory: '2048',
      cores: 2,
      scsi0: 'local-lvm:vm-101-disk-0,discard=on,size=32G',
      boot: 'order=scsi0;net0',
    })
    expect(config.net0).toMatch(
      /^virtio=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},bridge=vmbr0$/,
    )
    expect(config.smbios1).toMatch(/^uuid=[0-9a-f-]{36}$/)
    expect(config.meta).toMatch(/^creation-qemu=[\d.]+,ctime=\d+$/)
    expect(config.vmgenid).toMatch(/^[0-9a-f-]{36}$/)
    expect(config.digest).toMatch(/^[0-9a-f]{40}$/)
    expect(config).not.toHaveProperty('lock')
  })

  it('stores cipassword hashed, shows it masked, and normalizes tags', async () => {
    sim = await buildSim({ demoVms: false })
    await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 105,
      cipassword: 'hunter2',
      tags: 'Web, db;web',
    })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/105/config'))).toMatchObject({
      cipassword: '**********',
      tags: 'db;web',
    })
    expect(sim.snapshot().vms[0]?.config.cipassword).toMatch(
      /^\$5\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}$/,
    )
    await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 106, cipassword: '$6$abc$def' })
    expect(sim.snapshot().vms[1]?.config.cipassword).toBe('$6$abc$def')
  })

  it('checks sshkeys: URL-encoded format (400) and key validity (500)', async () => {
    sim = await buildSim({ demoVms: false })
    const raw = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZQ admin@host'
    const unencoded = await call(sim, 'POST', '/nodes/pve1/qemu', { vmid: 107, sshkeys: raw })
    expect(unencoded.errors).toEqual({
      sshkeys: `invalid format - invalid urlencoded string: ${raw}\n`,
    })
    const notAKey = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 107,
      sshkeys: encodeURIComponent('hello world'),
    })
    expect(notAKey).toMatchObject({ status: 500, message: 'SSH public key validation error' })
    await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 107,
      sshkeys: encodeURIComponent(`${raw}\n`),
    })
    expect(asRecord(await get(sim, '/nodes/pve1/qemu/107/config')).sshkeys).toBe(
      encodeURIComponent(`${raw}\n`),
    )
  })

  it('imports from an absolute path with progress lines and the virtual size', async () => {
    sim = await buildSim({ demoVms: false })
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 9001,
      scsi0: `local-lvm:0,import-from=${image}`,
      ide2: 'local-lvm:cloudinit',
      boot: 'order=scsi0',
    })
    expect(task.exitstatus).toBe('OK')
    const progress = task.lines.filter((l) => l.startsWith('transferred '))
    expect(progress[0]).toBe('transferred 0.0 B of 3.5 GiB (0.00%)')
    expect(progress[1]).toBe('transferred 35.8 MiB of 3.5 GiB (1.00%)')
    expect(progress.slice(-2)).toEqual([
      'transferred 3.5 GiB of 3.5 GiB (100.00%)',
      'transferred 3.5 GiB of 3.5 GiB (100.00%)',
    ])
    expect(progress).toHaveLength(102)
    expect(task.lines).toContain(
      "scsi0: successfully created disk 'local-lvm:vm-9001-disk-0,size=3584M'",
    )
    expect(task.lines).toContain(
      "ide2: successfully created disk 'local-lvm:vm-9001-cloudinit,media=cdrom'",
    )
  })

  it('lets only root@pam itself import from a path', async () => {
    sim = await buildSim({ demoVms: false })
    const token = await call(
      sim,
      'POST',
      '/nodes/pve1/qemu',
      { vmid: 9002, scsi0: `local-lvm:0,import-from=${image}` },
      { user: 'root@pam', tokenId: 'svc', via: 'rest-json' },
    )
    expect(token).toMatchObject({
      status: 500,
      message: 'Only root can pass arbitrary filesystem paths.',
    })
    const sized = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 9002,
      scsi0: `local-lvm:8,import-from=${image}`,
    })
    expect(sized.errors).toEqual({
      scsi0: "'import-from' requires special syntax - use <storage ID>:0,import-from=<source>",
    })
  })

  it('fails the task, wrapped, for a missing import source and leaves nothing behind', async () => {
    sim = await buildSim({ demoVms: false })
    const task = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 9003,
      scsi0: `local-lvm:0,import-from=${join(dir, 'nope.qcow2')}`,
    })
    expect(task.exitstatus).toBe(
      `unable to create VM 9003 - cannot import from '${join(dir, 'nope.qcow2')}' - ${join(dir, 'nope.qcow2')}: non-existent or non-regular file`,
    )
    expect(sim.snapshot().vms).toEqual([])
    expect(sim.snapshot().storages.flatMap((s) => s.volumes)).toEqual([])
  })

  it('refuses a VMID in use, a storage without images and an unknown storage before any task', async () => {
    sim = await buildSim()
    expect(await call(sim, 'POST', '/nodes/pve2/qemu', { vmid: 100 })).toMatchObject({
      status: 500,
      message: "unable to create VM 100 - VM 100 already exists on node 'pve1'",
    })
    expect(
      (await call(sim, 'POST', '/nodes/pve1/qemu', { vmid: 130, scsi0: 'local:8' })).errors,
    ).toEqual({
      storage: "storage 'local' does not support vm images",
    })
    expect(
      (await call(sim, 'POST', '/nodes/pve1/qemu', { vmid: 130, scsi0: 'nosuch:8' })).message,
    ).toBe("storage 'nosuch' does not exist")
  })

  it('picks the first free disk number and shows a new VM as locked while it is built', async () => {
    sim = await buildSim({ demoVms: false })
    // the create stays in progress until the test has looked
    const building = sim.faults.hold({ operation: 'create', vmid: 140 })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 140,
      scsi0: 'local-lvm:1',
      scsi1: 'local-lvm:2',
    })
    const upid = String(response.data)
    await building.reached
    expect(sim.snapshot().vms[0]?.config.lock).toBe('create')
    building.release()
    await sim.followTask(upid)
    const volumes = asList(await get(sim, '/nodes/pve1/storage/local-lvm/content', { vmid: 140 }))
    expect(volumes.map((v) => v.volid)).toEqual([
      'local-lvm:vm-140-disk-0',
      'local-lvm:vm-140-disk-1',
    ])
  })

  it('starts the VM when asked, printing Execute autostart', async () => {
    sim = await buildSim({ demoVms: false })
    const task = await runTask(sim, 'POST', '/nodes/pve3/qemu', {
      vmid: 150,
      ide2: 'local-lvm:cloudinit',
      start: 1,
    })
    expect(task.lines.slice(-2)).toEqual(['Execute autostart', 'generating cloud-init ISO'])
    expect(asRecord(await get(sim, '/nodes/pve3/qemu/150/status/current'))).toMatchObject({
      status: 'running',
      qmpstatus: 'running',
    })
  })

  it('rejects an unknown key inside a drive string with both error lines', async () => {
    sim = await buildSim({ demoVms: false })
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 160,
      scsi0: 'local-lvm:4,foo=1',
    })
    expect(response.errors).toEqual({
      scsi0: 'invalid format - format error\n',
      'scsi0.foo':
        'property is not defined in schema and the schema does not allow additional properties',
    })
  })
})
