import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, post, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'

let t: TestApp
afterEach(async () => {
  await t.close()
})

const driver = process.env.INSTALL_ROUTE_DRIVER ?? 'sim'

async function plan(
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown>; text: string; type: string }> {
  const answer = await post(`${t.url}/api/vm/install`, {
    os: 'debian',
    version: '12',
    dry_run: true,
    ...body,
  })
  return {
    status: answer.status,
    json: JSON.parse(answer.text) as Record<string, unknown>,
    text: answer.text,
    type: answer.type,
  }
}

/** Everything a dry-run must leave alone: VMs, volumes, reservations, jobs. */
function everything(): string {
  const snapshot = t.sim.snapshot()
  return JSON.stringify({
    vms: snapshot.vms.map((vm) => [vm.vmid, vm.node, vm.status, vm.config]),
    volumes: snapshot.storages.map((s) => [
      s.node,
      s.storage,
      s.volumes.map((v) => v.volid).sort(),
    ]),
    reserved: [...t.store.reservations.reserved().keys()],
    jobs: t.jobs.list().length,
  })
}

describe('POST /api/vm/install with "dry_run": true', () => {
  it('answers the plan as JSON, changes nothing, and gives the same plan twice', async () => {
    t = await buildTestApp({
      env: { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto', PVE_DRIVER: driver },
    })
    const before = everything()
    const first = await plan({ name: 'web-01', cpu: 4, ram: 4096, disk: '40G' })
    expect(first.status).toBe(200)
    expect(first.type).toContain('application/json')
    expect(first.json).toMatchObject({
      success: true,
      dry_run: true,
      vm_id: 103,
      ip: '127.0.0.103',
      node: 'pve1',
      storage: 'local-lvm',
      cpu_type: 'x86-64-v3',
      cpu: 4,
      ram_mb: 4096,
      disk_gb: 40,
      image: { cached: false },
      template: { action: 'build', vmid: 9000 },
      reboot: 'if the guest needs it',
      problems: [],
    })
    const stages = (first.json.stages as { step: string }[]).map((s) => s.step)
    expect(stages).toContain('VM creation > importing disk image')
    expect(stages).not.toContain('VM initialization > migrating VM')
    expect(everything()).toBe(before)
    const second = await plan({ name: 'web-01', cpu: 4, ram: 4096, disk: '40G' })
    expect(second.text).toBe(first.text)
    expect(everything()).toBe(before)
  })

  it('after an install, plans a clone of the template and estimates from recorded stage times', async () => {
    t = await buildTestApp({
      env: { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto', PVE_DRIVER: driver },
    })
    const installed = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'debian', version: '12', passwd: 'pw' },
    })
    expect(installed.steps.at(-1)?.status).toBe('success')
    const answer = await plan({ passwd: 's3cr3t-pass' })
    expect(answer.json).toMatchObject({
      vm_id: 104,
      image: { cached: true },
      template: { action: 'clone', vmid: 9000 },
      estimate: { from_installs: 1 },
    })
    const estimate = answer.json.estimate as { seconds: number; stages_without_history: string[] }
    expect(estimate.seconds).toBeGreaterThan(0)
    expect(estimate.stages_without_history).toEqual([])
    expect(answer.text).not.toContain('s3cr3t-pass')
  })

  it("refuses a bad request with the install's 400, naming the field", async () => {
    t = await buildTestApp({ env: { PVE_DRIVER: driver } })
    const answer = await plan({ version: '99' })
    expect(answer.status).toBe(400)
    expect(answer.json.message).toMatch(/^version: debian 99 is not supported/)
    expect((await plan({ node: 'nope' })).json.message).toMatch(/^node: /)
  })
})

describe('the plan for the cli driver', () => {
  it('lists the qm commands it would run, secrets redacted', async () => {
    t = await buildTestApp({ env: { TEMPLATES: 'auto', PVE_DRIVER: 'cli' } })
    const answer = await plan({ passwd: 's3cr3t-pass', node: 'pve2' })
    const commands = answer.json.commands as string[]
    expect(commands[0]).toMatch(/^qm create 9000 --name tpl-debian-12-[0-9a-f]{12} /)
    expect(commands).toContain('ssh root@pve2 qm template 9000')
    expect(commands.some((c) => c.startsWith('ssh root@pve2 qm clone 9000 103 --full 0'))).toBe(
      true,
    )
    const set = commands.find((c) => c.startsWith('ssh root@pve2 qm set 103 '))
    // a password reaches qm as <redacted> if at all (the install no longer sends cipassword)
    expect(set).not.toMatch(/--cipassword (?!<redacted>)/)
    expect(set).toContain('--sshkeys <keys-file>')
    expect(answer.text).not.toContain('s3cr3t-pass')
    expect(answer.text).not.toMatch(/\$6\$/)
  })
})
