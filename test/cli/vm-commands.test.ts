import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { ansiEscape, runPveQemu } from './run-pve-qemu.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

const cli = (...args: string[]): ReturnType<typeof runPveQemu> => runPveQemu(args, { url: t.url })

async function vmOn(vmid: number): Promise<{ node: string; status: string } | undefined> {
  const { vms } = await t.cluster.resources()
  const vm = vms.find((entry) => entry.vmid === vmid)
  return vm === undefined ? undefined : { node: vm.node, status: vm.status }
}

// each test below spawns the CLI about ten times; on a loaded machine that alone nears 30 s
describe('pve-qemu VM commands', () => {
  it('lists VMs and nodes as plain tables, or as JSON', async () => {
    const table = await cli('list')
    expect(table.code).toBe(0)
    expect(table.stdout).not.toContain(ansiEscape)
    const lines = table.stdout.split('\n')
    expect(lines[0]).toMatch(/^VMID\s+NAME\s+STATE\s+NODE/)
    expect(lines.find((line) => line.includes('demo-ubuntu'))).toMatch(
      /^\s*101\s+demo-ubuntu\s+stopped\s+pve2/,
    )
    expect(table.stdout).toMatch(/^pve1\s+online/m)
    const json = await cli('list', '--json')
    const listing = JSON.parse(json.stdout) as { vms: { vmid: number }[]; nodes: unknown[] }
    expect(listing.vms.map((vm) => vm.vmid).sort()).toEqual([100, 101, 102])
    expect(listing.nodes).toHaveLength(3)
  })

  it('starts, stops, shuts down and reboots a VM', async () => {
    expect((await cli('status', '101')).stdout).toBe('stopped\n')
    const start = await cli('start', '101')
    expect(start.code).toBe(0)
    expect(start.stdout).toMatch(/^✓ starting VM\s+\d+\.\d\ds/m)
    expect(start.stdout).toContain('✓ VM 101 is running')
    expect(await vmOn(101)).toMatchObject({ status: 'running' })
    const startAgain = await cli('start', '101')
    expect(startAgain.code).toBe(1)
    expect(startAgain.stderr).toMatch(/already running/)
    const reboot = await cli('reboot', '101')
    expect(reboot.code).toBe(0)
    expect(reboot.stdout).toContain('✓ VM 101 rebooted')
    const shutdown = await cli('shutdown', '101', '--json')
    expect(JSON.parse(shutdown.stdout)).toEqual({ vmid: 101, action: 'shutdown', result: 'ok' })
    expect(await vmOn(101)).toMatchObject({ status: 'stopped' })
    await cli('start', '101')
    const stop = await cli('stop', '101')
    expect(stop.stdout).toBe('✓ VM 101 stopped\n')
    expect((await cli('status', '101')).stdout).toBe('stopped\n')
  }, 90_000)

  it('sets cpu, memory and disk, and migrates with set node', async () => {
    expect((await cli('set', 'cpu', '102', '4')).code).toBe(0)
    expect((await cli('set', 'memory', '102', '4096')).code).toBe(0)
    expect((await cli('set', 'disk', '102', '5G')).code).toBe(0)
    const config = await t.cluster.vmConfig('pve3', 102)
    expect(config.cores).toBe('4')
    expect(config.memory).toBe('4096')
    const tooMany = await cli('set', 'cpu', '102', '99')
    expect(tooMany.code).toBe(1)
    expect(tooMany.stderr).toContain('cpu: must be <= 32')
    const unknownField = await cli('set', 'colour', '102', 'red')
    expect(unknownField.code).toBe(2)
    const migrate = await cli('set', 'node', '102', 'pve2')
    expect(migrate.code).toBe(0)
    expect(migrate.stdout).toContain('✓ VM 102 is on pve2')
    expect(await vmOn(102)).toMatchObject({ node: 'pve2' })
  }, 90_000)

  it('destroys only when confirmed: --yes, since stdin is not a terminal', async () => {
    const refused = await cli('destroy', '100')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('needs confirmation: add --yes')
    expect(await vmOn(100)).toBeDefined()
    const done = await cli('destroy', '100', '--yes')
    expect(done.code).toBe(0)
    expect(done.stdout).toBe('✓ VM 100 destroyed\n')
    expect(await vmOn(100)).toBeUndefined()
  })

  it('lists the OS catalog', async () => {
    const run = await cli('os')
    expect(run.stdout).toMatch(/^rockylinux\s+9\s+rocky9\s+rocky/m)
  })
})

describe('pve-qemu and protected VMs', () => {
  it('marks them in the list and is refused when it tries to destroy one', async () => {
    const guarded = await buildTestApp({ env: { PROTECTED_VMIDS: '102' } })
    try {
      const list = await runPveQemu(['list'], { url: guarded.url })
      expect(list.stdout).toMatch(/^\s*102\s+demo-rocky.*\sprotected$/m)
      expect(list.stdout).not.toMatch(/^\s*101\s.*protected$/m)
      const destroy = await runPveQemu(['destroy', '102', '--yes'], { url: guarded.url })
      expect(destroy.code).toBe(1)
      expect(destroy.stderr).toContain('102')
      const { vms } = await guarded.cluster.resources()
      expect(vms.some((vm) => vm.vmid === 102)).toBe(true)
    } finally {
      await guarded.close()
    }
  })
})
