import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../../helpers/build-test-app.js'
import { readSse, type SseRead } from '../../helpers/sse-client.js'
import { listTemplates, messagesOf, succeeded } from './template-helpers.js'

/*
 * The template fast path on shared storage (issue 14): one template per shared storage serves
 * every node, clones go straight to the install's node (`qm clone --target`), nothing migrates.
 * The simulator's opt-in NFS storage (SIM_SHARED_STORAGE) is what makes this path run at all.
 */

const shared = 'nfs-shared'
let t: TestApp | undefined
const dirs: string[] = []
afterEach(async () => {
  await t?.close()
  t = undefined
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function start(env: Record<string, string>, dataDir?: string): Promise<TestApp> {
  t = await buildTestApp({
    env: {
      TEMPLATES: 'auto',
      INSTALL_REBOOT: 'auto',
      SIM_SHARED_STORAGE: shared,
      PVE_DRIVER: process.env.INSTALL_ROUTE_DRIVER ?? 'sim',
      ...env,
    },
    ...(dataDir === undefined ? {} : { dataDir }),
  })
  return t
}

const install = (app: TestApp, body: Record<string, unknown> = {}): Promise<SseRead> =>
  readSse(`${app.url}/api/vm/install`, {
    body: { os: 'debian', version: '12', passwd: 'pw', ...body },
  })

/** The VMs of the simulated cluster from 103 on (the demo VMs left out): vmid, node, disk. */
function madeVms(app: TestApp): [number, string, string][] {
  return app.sim
    .snapshot()
    .vms.filter((vm) => vm.vmid >= 103)
    .map((vm) => [vm.vmid, vm.node, (vm.config.scsi0 ?? '').split(',')[0] ?? ''])
}

describe('templates on shared storage', () => {
  it('one template serves every node: an install for pve2 clones it there, nothing migrates', async () => {
    const app = await start({ ASSIGN_STORAGE: shared })
    const first = await install(app)
    succeeded(first)
    expect(messagesOf(first, 'VM creation > creating VM').join('\n')).toContain(
      'template 9000 built',
    )

    const second = await install(app, { node: 'pve2' })
    succeeded(second)
    expect(messagesOf(second, 'VM creation > creating VM').join('\n')).toContain(
      'template 9000 ready',
    )
    const imported = messagesOf(second, 'VM creation > importing disk image')
    expect(imported).toContain(
      `  create linked clone of drive scsi0 (${shared}:9000/base-9000-disk-0.qcow2)`,
    )
    expect(imported.some((m) => m.includes('VM 104 is a linked clone of template 9000'))).toBe(true)
    // the clone was made for pve2 directly: the migration stage had nothing to do
    expect(messagesOf(second, 'VM initialization > migrating VM')).toEqual([])

    expect(madeVms(app)).toEqual([
      [103, 'pve1', `${shared}:9000/base-9000-disk-0.qcow2/103/vm-103-disk-0.qcow2`],
      [104, 'pve2', `${shared}:9000/base-9000-disk-0.qcow2/104/vm-104-disk-0.qcow2`],
      [9000, 'pve1', `${shared}:9000/base-9000-disk-0.qcow2`],
    ])
    const listed = await listTemplates(app)
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({
      vmid: 9000,
      node: 'pve1',
      storage: shared,
      shared: true,
      clones: [103, 104],
    })
    expect((await get(`${app.url}/api/vm/104/status`)).text).toBe('running')
    // with the clone on pve1 gone, the one on pve2 still uses the base on the shared storage:
    // Proxmox refuses to free it
    expect((await post(`${app.url}/api/vm/103/destroy`)).status).toBe(200)
    const inUse = await fetch(`${app.url}/api/templates/9000`, { method: 'DELETE' })
    expect(inUse.status).toBe(409)
    expect(await inUse.json()).toMatchObject({
      code: 'TEMPLATE_IN_USE',
      message: `base volume '${shared}:9000/base-9000-disk-0.qcow2' is still in use by linked cloned`,
    })
  })

  it('on local storage, the same two installs make one template per node', async () => {
    const app = await start({ ASSIGN_STORAGE: 'local-lvm' })
    succeeded(await install(app))
    const second = await install(app, { node: 'pve2' })
    succeeded(second)
    expect(messagesOf(second, 'VM creation > creating VM').join('\n')).toContain(
      'template 9001 built',
    )
    expect(
      (await listTemplates(app)).map((tpl) => [tpl.vmid, tpl.node, tpl.shared, tpl.clones]),
    ).toEqual([
      [9000, 'pve1', false, [103]],
      [9001, 'pve2', false, [104]],
    ])
  })

  it('a template of an earlier run is found again after a restart, as shared, and reused', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pve-qemu-shared-'))
    dirs.push(dataDir)
    const before = await start({ ASSIGN_STORAGE: shared }, dataDir)
    succeeded(await install(before))
    await before.close()
    t = undefined

    const after = await start({ ASSIGN_STORAGE: shared }, dataDir)
    const listed = await listTemplates(after)
    expect(listed.map((tpl) => [tpl.vmid, tpl.storage, tpl.shared, tpl.clones])).toEqual([
      [9000, shared, true, [103]],
    ])
    const stream = await install(after, { node: 'pve3' })
    succeeded(stream)
    expect(messagesOf(stream, 'VM creation > creating VM').join('\n')).toContain(
      'template 9000 ready',
    )
    expect(messagesOf(stream, 'VM initialization > migrating VM')).toEqual([])
    expect(after.sim.snapshot().vms.filter((vm) => vm.config.template === '1')).toHaveLength(1)
    expect(after.sim.snapshot().vms.find((vm) => vm.vmid === 104)?.node).toBe('pve3')
    expect((await listTemplates(after))[0]?.clones).toEqual([103, 104])
  })
})

describe('the shared storage lock', () => {
  it("a clone refused with pmxcfs's lock timeout is retried, and the install is still a linked clone", async () => {
    const app = await start({ ASSIGN_STORAGE: shared })
    succeeded(await install(app))
    // another node held the storage's cluster-wide lock longer than its 10 s wait
    app.sim.faults.inject({
      operation: 'clone',
      message: `clone failed: cfs-lock 'storage-${shared}' error: got lock request timeout`,
    })
    const second = await install(app, { node: 'pve2' })
    succeeded(second)
    const cloning = messagesOf(second, 'VM creation > importing disk image').join('\n')
    expect(cloning).toMatch(/got lock request timeout; retry 1 in \d+\.\ds/)
    expect(cloning).toContain('VM 104 is a linked clone of template 9000')
  })
})

describe('the dry-run plan on shared storage', () => {
  it('clones the template straight to the install node and plans no migration', async () => {
    const app = await start({ ASSIGN_STORAGE: shared, PVE_DRIVER: 'cli' })
    const answer = await post(`${app.url}/api/vm/install`, {
      os: 'debian',
      version: '12',
      dry_run: true,
      node: 'pve2',
    })
    expect(answer.status).toBe(200)
    const plan = JSON.parse(answer.text) as { commands: string[]; stages: { step: string }[] }
    const clone = plan.commands.find((c) => c.includes('qm clone 9000 103'))
    expect(clone).toMatch(/^qm clone 9000 103 --full 0 .*--target pve2/)
    expect(plan.commands.some((c) => c.startsWith('ssh root@pve2 qm set 103 '))).toBe(true)
    expect(plan.commands.some((c) => c.includes('qm migrate'))).toBe(false)
    expect(plan.stages.map((s) => s.step)).not.toContain('VM initialization > migrating VM')
  })
})
