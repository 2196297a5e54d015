import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { runPveQemu } from './run-pve-qemu.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp({ env: { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto' } })
})
afterAll(async () => {
  await t.close()
})

describe('pve-qemu install --dry-run', () => {
  it('prints the plan and changes nothing', async () => {
    const before = JSON.stringify(t.sim.snapshot().vms.map((vm) => vm.vmid))
    const run = await runPveQemu(['install', 'debian', '12', '--dry-run'], { url: t.url })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('VMID 103, IP 127.0.0.103 on pve1 (local-lvm)')
    expect(run.stdout).toContain('image: to download')
    expect(run.stdout).toContain('disk: a template of this image is built on pve1/local-lvm')
    expect(run.stdout).toContain('reboot: if the guest needs it')
    expect(run.stdout).toMatch(/^ {2}VM creation > importing disk image$/m)
    expect(run.stdout).toContain('estimate: no earlier install recorded yet')
    expect(JSON.stringify(t.sim.snapshot().vms.map((vm) => vm.vmid))).toBe(before)
    expect(t.jobs.list()).toEqual([])
  })

  it('prints the plan as JSON with --json', async () => {
    const run = await runPveQemu(['install', 'debian', '12', '--dry-run', '--json'], {
      url: t.url,
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ dry_run: true, vm_id: 103 })
  })
})
