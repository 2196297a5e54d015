import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { asList, asRecord, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('cluster resources as a token sees them', () => {
  const token = (privileges: string[]) => ({
    user: 'svc@pve',
    via: 'in-process' as const,
    privileges: new Set(privileges),
  })
  const resources = async (
    params: Record<string, string>,
    privileges: string[],
  ): Promise<Record<string, unknown>[]> =>
    asList((await call(sim, 'GET', '/cluster/resources', params, token(privileges))).data)
  const kinds = (entries: Record<string, unknown>[]): unknown[] => [
    ...new Set(entries.map((entry) => entry.type)),
  ]

  it('shows VMs only with VM.Audit and storages only with Datastore.Audit (AllocateSpace is not enough)', async () => {
    sim = await buildSim()
    const all = ['VM.Audit', 'Datastore.Audit', 'Sys.Audit']
    const full = await resources({}, all)
    expect(kinds(full)).toEqual(['qemu', 'node', 'storage'])
    const noVms = await resources({}, ['Datastore.Audit', 'Sys.Audit'])
    expect(kinds(noVms)).toEqual(['node', 'storage'])
    const noStorages = await resources({}, ['VM.Audit', 'Sys.Audit', 'Datastore.AllocateSpace'])
    expect(kinds(noStorages)).toEqual(['qemu', 'node'])
    // the filter answers an empty list, never a 403
    const storagesOnly = await resources({ type: 'storage' }, ['VM.Audit'])
    expect(storagesOnly).toEqual([])
  })

  it("leaves out a node's figures without Sys.Audit, never its name and status", async () => {
    sim = await buildSim()
    const nodes = await resources({ type: 'node' }, ['VM.Audit'])
    expect(nodes.map((entry) => [entry.node, entry.status])).toEqual([
      ['pve1', 'online'],
      ['pve2', 'online'],
      ['pve3', 'online'],
    ])
    for (const entry of nodes) {
      expect(entry).not.toHaveProperty('maxcpu')
      expect(entry).not.toHaveProperty('mem')
    }
    const audited = await resources({ type: 'node' }, ['Sys.Audit'])
    expect(audited[0]).toHaveProperty('maxcpu')
  })
})

describe('cluster and node reads', () => {
  it('lists qemu, node and storage entries with PVE JSON types', async () => {
    sim = await buildSim()
    const all = asList(await get(sim, '/cluster/resources'))
    const vm = all.find((e) => e.id === 'qemu/100')
    expect(vm).toMatchObject({
      type: 'qemu',
      vmid: 100,
      node: 'pve1',
      status: 'running',
      name: 'demo-debian',
      template: 0,
      disk: 0,
      tags: 'debian',
    })
    expect(typeof vm?.maxmem).toBe('number')
    expect(all.filter((e) => e.type === 'node').map((e) => e.node)).toEqual([
      'pve1',
      'pve2',
      'pve3',
    ])
    const storage = all.find((e) => e.id === 'storage/pve2/local-lvm')
    expect(storage).toMatchObject({
      plugintype: 'lvmthin',
      shared: 0,
      status: 'available',
      content: 'images,rootdir',
      storage: 'local-lvm',
    })
    expect(Object.values(vm ?? {})).not.toContain(null)
  })

  it('filters /cluster/resources by type and rejects an unknown type', async () => {
    sim = await buildSim()
    const vms = asList(await get(sim, '/cluster/resources', { type: 'vm' }))
    expect(new Set(vms.map((e) => e.type))).toEqual(new Set(['qemu']))
    const storages = asList(await get(sim, '/cluster/resources', { type: 'storage' }))
    expect(storages).toHaveLength(6)
    const bad = await call(sim, 'GET', '/cluster/resources', { type: 'qemu' })
    expect(bad.errors).toEqual({
      type: "value 'qemu' does not have a value in the enumeration 'vm, storage, node, sdn'",
    })
  })

  it('gives the next free VMID as a string and refuses a taken one', async () => {
    sim = await buildSim()
    expect(await get(sim, '/cluster/nextid')).toBe('103')
    expect(await get(sim, '/cluster/nextid', { vmid: 910000 })).toBe('910000')
    const taken = await call(sim, 'GET', '/cluster/nextid', { vmid: 100 })
    expect(taken).toMatchObject({ status: 400, errors: { vmid: 'VM 100 already exists' } })
  })

  it('reports cluster membership with the local node marked', async () => {
    sim = await buildSim({ mainNode: 'pve2' })
    const status = asList(await get(sim, '/cluster/status'))
    expect(status[0]).toMatchObject({ type: 'cluster', id: 'cluster', nodes: 3, quorate: 1 })
    expect(status.slice(1)).toEqual([
      {
        type: 'node',
        id: 'node/pve1',
        name: 'pve1',
        nodeid: 1,
        ip: '127.0.1.1',
        local: 0,
        online: 1,
        level: '',
      },
      {
        type: 'node',
        id: 'node/pve2',
        name: 'pve2',
        nodeid: 2,
        ip: '127.0.1.2',
        local: 1,
        online: 1,
        level: '',
      },
      {
        type: 'node',
        id: 'node/pve3',
        name: 'pve3',
        nodeid: 3,
        ip: '127.0.1.3',
        local: 0,
        online: 1,
        level: '',
      },
    ])
  })

  it('shows node status with string loadavg, mhz and hvm, boot-info and available memory', async () => {
    sim = await buildSim()
    const status = asRecord(await get(sim, '/nodes/pve1/status'))
    expect(status.loadavg).toEqual([expect.any(String), expect.any(String), expect.any(String)])
    const cpuinfo = asRecord(status.cpuinfo)
    expect(cpuinfo).toMatchObject({ cores: 16, cpus: 32, hvm: '1' })
    expect(typeof cpuinfo.mhz).toBe('string')
    const flags = String(cpuinfo.flags).split(' ')
    expect(flags).toEqual(expect.arrayContaining(['avx2', 'aes', 'sse4_2', 'fma', 'bmi2']))
    expect(flags).not.toContain('avx512f')
    expect(asRecord(status.memory)).toHaveProperty('available')
    expect(status['boot-info']).toEqual({ mode: 'efi', secureboot: 0 })
    expect(String(status.pveversion)).toMatch(/^pve-manager\/9\.1\.\d+\/[0-9a-f]+$/)
  })

  it('lets a test give a node an old CPU', async () => {
    sim = await buildSim({ cpuFlags: { pve2: ['fpu', 'sse4_2', 'popcnt'] } })
    const cpuinfo = asRecord(asRecord(await get(sim, '/nodes/pve2/status')).cpuinfo)
    expect(cpuinfo.flags).toBe('fpu sse4_2 popcnt')
  })

  it('lists node storages with filters and byte sizes that follow allocations', async () => {
    sim = await buildSim()
    const before = asList(await get(sim, '/nodes/pve1/storage', { content: 'images' }))
    expect(before.map((s) => s.storage)).toEqual(['local-lvm'])
    expect(before[0]).toMatchObject({
      type: 'lvmthin',
      content: 'images,rootdir',
      active: 1,
      enabled: 1,
      shared: 0,
    })
    const all = asList(await get(sim, '/nodes/pve1/storage'))
    expect(all.map((s) => s.storage)).toEqual(['local', 'local-lvm'])
    const unknown = await call(sim, 'GET', '/nodes/pve1/storage', { storage: 'nosuch' })
    expect(unknown.errors).toEqual({ storage: 'No such storage.' })
    const used = Number(before[0]?.used)
    await runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 120, ide2: 'local-lvm:cloudinit' })
    const after = asList(await get(sim, '/nodes/pve1/storage', { storage: 'local-lvm' }))
    expect(Number(after[0]?.used)).toBe(used + 4 * 1024 * 1024)
  })

  it('lists volumes of a storage with vmid and content filters', async () => {
    sim = await buildSim()
    const volumes = asList(await get(sim, '/nodes/pve1/storage/local-lvm/content'))
    expect(volumes.map((v) => v.volid)).toEqual([
      'local-lvm:vm-100-cloudinit',
      'local-lvm:vm-100-disk-0',
    ])
    expect(volumes[1]).toMatchObject({
      format: 'raw',
      size: 20 * 1024 ** 3,
      vmid: 100,
      content: 'images',
    })
    expect(await get(sim, '/nodes/pve1/storage/local-lvm/content', { vmid: 101 })).toEqual([])
    const missing = await call(sim, 'GET', '/nodes/pve1/storage/nosuch/content')
    expect(missing.message).toBe("storage 'nosuch' does not exist")
  })

  it('lists the VMs of one node', async () => {
    sim = await buildSim()
    const vms = asList(await get(sim, '/nodes/pve2/qemu'))
    expect(vms).toHaveLength(1)
    expect(vms[0]).toMatchObject({ vmid: 101, name: 'demo-ubuntu', status: 'stopped', uptime: 0 })
    expect(vms[0]).not.toHaveProperty('pid')
  })
})

describe('version', () => {
  it('reports a PVE 9.1 release', async () => {
    sim = await buildSim()
    expect(await get(sim, '/version')).toEqual({
      version: '9.1.2',
      release: '9.1',
      repoid: '9d436f37',
    })
  })
})
