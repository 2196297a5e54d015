import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { exitCodeOf, runConformance } from '../../src/conformance/run-conformance.js'
import { ConfigError } from '../../src/config/index.js'
import { readConformanceSettings } from '../../src/config/conformance-settings.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import { createInProcessTransport, createSimulator, type Simulator } from '../../src/sim/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** `npm run conformance` as a user runs it, with the service's variables, on the simulator. */
function runProgram(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-conformance-'))
  dirs.push(dir)
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/conformance/main.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', SIM_SPEED: '0', DATA_DIR: dir, ...env },
        timeout: 240_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, out: `${stdout}${stderr}` })
      },
    )
  })
}

describe('npm run conformance', () => {
  it.each(['cli', 'api'])(
    'passes on the simulator through the %s driver, touching only its scratch VM',
    async (driver) => {
      const { code, out } = await runProgram({ PVE_DRIVER: driver, CONFORMANCE_VMID: '990' })
      expect(out).toContain('scratch VM 990 on pve1, disks on local-lvm; nothing else is changed')
      expect(out).toMatch(/ok {4}creates a VM with its whole config in one call/)
      expect(out).toContain("Configuration file 'nodes/pve1/qemu-server/990.conf' does not exist")
      expect(out).toContain('cleanup: nothing left: VM 990 does not exist')
      expect(out).toMatch(/ok {4}lists the main node's bridges\n {8}vmbr0 \(VLAN-aware\), vmbr1/)
      expect(out).toContain('No QEMU guest agent configured')
      expect(out).toContain('14 passed, 0 failed, 0 skipped')
      expect(code).toBe(0)
    },
    240_000,
  )

  it('refuses a VMID that exists, changing nothing', async () => {
    const { code, out } = await runProgram({ PVE_DRIVER: 'cli', CONFORMANCE_VMID: '101' })
    expect(out).toContain(
      'refused: VMID 101 exists (on pve2); name a free VMID in CONFORMANCE_VMID',
    )
    expect(out).not.toContain('ok ')
    expect(code).toBe(2)
  }, 240_000)
})

describe('runConformance', () => {
  let sim: Simulator | undefined
  afterEach(async () => {
    await sim?.close()
    sim = undefined
  })

  it('reports a failure in Proxmox words, goes on, cleans up and exits 1', async () => {
    sim = await createSimulator({ speed: 0 })
    const cluster = createApiDriver({
      transport: createInProcessTransport(sim),
      description: 'sim',
      taskPollMs: 5,
    })
    sim.faults.inject({
      operation: 'start',
      vmid: 990,
      message: 'KVM virtualisation configured, but not available.',
    })
    const report = await runConformance({
      cluster,
      node: 'pve1',
      vmid: 990,
      storage: 'local-lvm',
      guestOs: false,
    })
    if (report.kind !== 'ran') throw new Error(`refused: ${report.reason}`)
    const outcome = Object.fromEntries(report.results.map((r) => [r.name, r.outcome]))
    const failed = report.results.filter((result) => result.outcome === 'failed')
    expect(failed.map((result) => result.detail)).toEqual([
      'KVM virtualisation configured, but not available.',
    ])
    expect(outcome['reboots and shuts down a running VM']).toBe('skipped')
    expect(outcome['destroys a VM and its disks']).toBe('passed')
    expect(report.cleanup).toBe('nothing left: VM 990 does not exist')
    expect(exitCodeOf(report)).toBe(1)
    expect(sim.snapshot().vms.map((vm) => vm.vmid)).toEqual([100, 101, 102])
  })

  it('says which scratch VM it could not remove, and where', async () => {
    sim = await createSimulator({ speed: 0 })
    const cluster = createApiDriver({
      transport: createInProcessTransport(sim),
      description: 'sim',
      taskPollMs: 5,
    })
    // every destroy of the scratch VM fails: the report must say it is still there
    sim.faults.inject({ operation: 'destroy', vmid: 990, times: 10 })
    const report = await runConformance({
      cluster,
      node: 'pve1',
      vmid: 990,
      storage: 'local-lvm',
      guestOs: true,
    })
    if (report.kind !== 'ran') throw new Error(`refused: ${report.reason}`)
    expect(report.results.at(-1)?.outcome).toBe('failed')
    expect(report.cleanup).toMatch(/^could not remove scratch VM 990 \(on pve[0-9]\): /)
  })
})

describe('conformance settings', () => {
  it('requires CONFORMANCE_VMID, listed with the service configuration problems', () => {
    let problems: readonly string[] = []
    try {
      readConformanceSettings({ CONFORMANCE_TARGET_NODE: 'pve_2' }, ['PORT: bad'])
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems
    }
    expect(problems).toEqual([
      'PORT: bad',
      'CONFORMANCE_VMID: is required: a free VMID (100-999999999) the run may create and destroy its scratch VM in',
      'CONFORMANCE_TARGET_NODE: must be a Proxmox node name (letters, digits and inner hyphens), got "pve_2"',
    ])
    expect(readConformanceSettings({ CONFORMANCE_VMID: '990' })).toEqual({
      vmid: 990,
      targetNode: undefined,
    })
  })
})
