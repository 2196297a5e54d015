import { afterEach, describe, expect, it } from 'vitest'
import { findRelease } from '../../../src/images/os-catalog.js'
import { buildTestApp, get, post, type TestApp } from '../../helpers/build-test-app.js'
import { readSse, type SseRead } from '../../helpers/sse-client.js'
import { listTemplates, messagesOf, succeeded } from './template-helpers.js'

let t: TestApp
afterEach(async () => {
  await t.close()
})

/** Templates on (the production default), on the driver INSTALL_ROUTE_DRIVER names. */
const start = async (env: Record<string, string> = {}): Promise<TestApp> =>
  (t = await buildTestApp({
    env: {
      TEMPLATES: 'auto',
      INSTALL_REBOOT: 'auto',
      PVE_DRIVER: process.env.INSTALL_ROUTE_DRIVER ?? 'sim',
      ...env,
    },
  }))

const install = (body: Record<string, unknown>): Promise<SseRead> =>
  readSse(`${t.url}/api/vm/install`, {
    body: { os: 'debian', version: '12', passwd: 'pw', ...body },
  })

/** Every VM and volume of the simulated cluster, for "nothing changed" comparisons. */
function clusterState(): string {
  const snapshot = t.sim.snapshot()
  return JSON.stringify({
    vms: snapshot.vms.map((vm) => [vm.vmid, vm.node, vm.status]),
    volumes: snapshot.storages.map((s) => [
      s.node,
      s.storage,
      s.volumes.map((v) => v.volid).sort(),
    ]),
  })
}

describe('installs from a cached template', () => {
  it('the first install builds a template, the second is a linked clone of it', async () => {
    await start()
    const first = await install({})
    succeeded(first)
    const created = messagesOf(first, 'VM creation > creating VM')
    expect(
      created.some((m) => /template 9000 built \(debian 12, image [0-9a-f]{12}\)/.test(m)),
    ).toBe(true)

    const second = await install({})
    succeeded(second)
    expect(messagesOf(second, 'VM creation > creating VM').join('\n')).toContain(
      'template 9000 ready',
    )
    const imported = messagesOf(second, 'VM creation > importing disk image')
    expect(imported).toContain('  create linked clone of drive scsi0 (local-lvm:base-9000-disk-0)')
    expect(imported.some((m) => m.includes('VM 104 is a linked clone of template 9000'))).toBe(true)
    // no import: the clone's disk is a thin snapshot of the template's base
    expect(imported.some((m) => m.includes('transferred'))).toBe(false)

    const listed = await listTemplates(t)
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({
      vmid: 9000,
      os: 'debian',
      version: '12',
      node: 'pve1',
      storage: 'local-lvm',
      clones: [103, 104],
      current: true,
    })
    // the template says what it is, and the clone has its own identity
    const tpl = await t.cluster.vmConfig('pve1', 9000)
    expect(tpl.template).toBe('1')
    expect(tpl.name).toMatch(/^tpl-debian-12-[0-9a-f]{12}$/)
    expect(tpl.tags?.split(';')).toEqual(expect.arrayContaining(['pve-qemu-template', 'debian-12']))
    const clone = await t.cluster.vmConfig('pve1', 104)
    expect(clone).toMatchObject({ name: 'debian-12-104', ciuser: 'debian', cores: '2' })
    expect(clone.ipconfig0).toBe('ip=127.0.0.104/24,gw=127.0.0.1')
    expect((await get(`${t.url}/api/vm/104/status`)).text).toBe('running')
  })

  it('concurrent installs of one release wait on one template build', async () => {
    // slow enough that the three installs overlap while the template is being built
    await start({ SIM_SPEED: '0.05' })
    const streams = await Promise.all([install({}), install({}), install({})])
    for (const stream of streams) succeeded(stream)
    const tpls = t.sim.snapshot().vms.filter((vm) => vm.vmid >= 9000)
    expect(tpls.map((vm) => vm.vmid)).toEqual([9000])
    for (const stream of streams) {
      expect(messagesOf(stream, 'VM creation > creating VM').join('\n')).toContain(
        'template 9000 built',
      )
    }
    expect((await listTemplates(t))[0]?.clones).toEqual([103, 104, 105])
  })

  it('on local storage, an install for another node clones on that node and never migrates', async () => {
    await start()
    const stream = await install({ node: 'pve2' })
    succeeded(stream)
    expect(messagesOf(stream, 'VM initialization > migrating VM')).toEqual([])
    const listed = await listTemplates(t)
    expect(listed.map((tpl) => [tpl.vmid, tpl.node])).toEqual([[9000, 'pve2']])
    expect(t.sim.snapshot().vms.find((vm) => vm.vmid === 103)?.node).toBe('pve2')
  })

  it('a newer image builds a new template; the old one stays while a clone uses it', async () => {
    await start()
    succeeded(await install({}))
    const release = findRelease('debian', '12')
    if (release === undefined) throw new Error('no debian 12')
    t.simImages.publishNewBuild(release)
    const second = await install({})
    succeeded(second)
    expect(messagesOf(second, 'VM creation > creating VM').join('\n')).toContain(
      'template 9001 built',
    )
    let listed = await listTemplates(t)
    expect(listed.map((tpl) => [tpl.vmid, tpl.current, tpl.clones])).toEqual([
      [9000, false, [103]],
      [9001, true, [104]],
    ])
    expect(listed[0]?.image_checksum).not.toBe(listed[1]?.image_checksum)

    // the old template's last clone goes: the next install removes the old template
    expect((await post(`${t.url}/api/vm/103/destroy`)).status).toBe(200)
    const third = await install({})
    succeeded(third)
    expect(messagesOf(third, 'VM creation > creating VM').join('\n')).toContain(
      'removed superseded templates no clone uses: 9000',
    )
    listed = await listTemplates(t)
    expect(listed.map((tpl) => tpl.vmid)).toEqual([9001])
    expect(t.sim.snapshot().vms.some((vm) => vm.vmid === 9000)).toBe(false)
  })

  it('a failed template build leaves nothing behind', async () => {
    await start()
    const before = clusterState()
    t.sim.faults.inject({ operation: 'template', vmid: 9000, message: 'injected template failure' })
    const stream = await install({})
    const last = stream.steps.at(-1)
    expect(last).toMatchObject({ status: 'error', step: 'VM creation > creating VM' })
    expect(last?.message).toContain('building template 9000 (debian 12) failed')
    expect(last?.message).toContain('injected template failure')
    expect(last?.message).toContain('VM 9000 removed')
    expect(clusterState()).toBe(before)
    expect(await listTemplates(t)).toEqual([])
    expect([...t.store.reservations.reserved().keys()]).toEqual([])
    // and the next install builds it again
    succeeded(await install({}))
    expect((await listTemplates(t)).map((tpl) => tpl.vmid)).toEqual([9000])
  })

  it('a failed import into the template leaves nothing behind', async () => {
    await start()
    const before = clusterState()
    t.sim.faults.inject({ operation: 'import', vmid: 9000 })
    const stream = await install({})
    expect(stream.steps.at(-1)).toMatchObject({
      status: 'error',
      step: 'VM creation > creating VM',
    })
    expect(clusterState()).toBe(before)
  })

  it('a clone that fails later is rolled back; the template stays for the next install', async () => {
    await start()
    succeeded(await install({}))
    const withTemplate = clusterState()
    t.sim.faults.inject({ operation: 'start', vmid: 104, message: 'injected start failure' })
    const failed = await install({})
    expect(failed.steps.at(-1)).toMatchObject({ status: 'error' })
    expect(failed.steps.at(-1)?.message).toContain('cleaned up: VM 104 and its disks removed')
    expect(clusterState()).toBe(withTemplate)
    expect((await listTemplates(t))[0]?.clones).toEqual([103])
  })
})

describe('templates are not VMs to the VM routes', () => {
  it('are not listed, not stopped, changed or destroyed there; /api/templates removes unused ones', async () => {
    await start()
    succeeded(await install({}))
    const list = JSON.parse((await get(`${t.url}/api/vm/list`)).text) as { vms: { vmid: number }[] }
    expect(list.vms.map((vm) => vm.vmid)).not.toContain(9000)
    const status = await get(`${t.url}/api/vm/9000/status`)
    expect(status.status).toBe(404)
    expect(status.text).toContain('VM 9000 is a template')
    for (const action of ['stop', 'destroy', 'start', 'reboot']) {
      const answer = await post(`${t.url}/api/vm/9000/${action}`)
      expect(answer.status, action).toBe(409)
      expect(answer.text).toContain('GET /api/templates')
    }
    expect((await post(`${t.url}/api/vm/9000/set/cpu`, { cpu: 4 })).status).toBe(409)

    // in use: Proxmox refuses, and so does the API, with Proxmox's message
    const inUse = await fetch(`${t.url}/api/templates/9000`, { method: 'DELETE' })
    expect(inUse.status).toBe(409)
    expect(await inUse.json()).toMatchObject({
      code: 'TEMPLATE_IN_USE',
      message: "base volume 'local-lvm:base-9000-disk-0' is still in use by linked cloned",
    })
    expect((await post(`${t.url}/api/vm/103/destroy`)).status).toBe(200)
    const removed = await fetch(`${t.url}/api/templates/9000`, { method: 'DELETE' })
    expect(removed.status).toBe(200)
    expect(await listTemplates(t)).toEqual([])
    const gone = await fetch(`${t.url}/api/templates/9000`, { method: 'DELETE' })
    expect(gone.status).toBe(404)
  })
})

describe('TEMPLATES=off', () => {
  it('imports every time and builds no template', async () => {
    await start({ TEMPLATES: 'off' })
    const stream = await install({})
    succeeded(stream)
    expect(messagesOf(stream, 'VM creation > importing disk image').join('\n')).toContain(
      'disk image imported successfully',
    )
    expect(t.sim.snapshot().vms.some((vm) => vm.vmid >= 9000)).toBe(false)
    expect(await listTemplates(t)).toEqual([])
  })
})
