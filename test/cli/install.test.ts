import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { ansiEscape, jsonLines, runPveQemu } from './run-pve-qemu.js'

let t: TestApp

beforeAll(async () => {
  t = await buildTestApp()
})
afterAll(async () => {
  await t.close()
})

const cli = (...args: string[]): ReturnType<typeof runPveQemu> => runPveQemu(args, { url: t.url })

describe('pve-qemu install', () => {
  it('installs a VM with a flag per field and shows each stage, the script output and the ssh command', async () => {
    const keyFile = join(t.dataDir, 'operator.pub')
    writeFileSync(
      keyFile,
      '# my key\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOperatorKeyForTheCliTest0000000000000 me@laptop\n',
    )
    const run = await cli(
      'install',
      '--os',
      'debian',
      '--version',
      '12',
      '--name',
      'cli-vm',
      '--cpu',
      '3',
      '--ram',
      '3072',
      '--disk',
      '20G',
      '--user',
      'deploy',
      '--pubkey-file',
      keyFile,
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const out = run.stdout
    expect(out).not.toContain(ansiEscape)
    expect(out).toMatch(/^preparation$/m)
    expect(out).toMatch(/^ {2}✓ checking VMID\s+\d+\.\d\ds {2}auto-assigned VMID: 103$/m)
    expect(out).toMatch(/^ {2}✓ validating CPU and RAM .*CPU: 3 cores, RAM: 3072 MB$/m)
    // the first-boot script's lines come under their stage, before its result
    const header = out.indexOf('… SSH initialization')
    const scriptLine = out.indexOf('│ first-boot setup finished')
    const result = out.search(/✓ SSH initialization/)
    expect(header).toBeGreaterThan(0)
    expect(scriptLine).toBeGreaterThan(header)
    expect(result).toBeGreaterThan(scriptLine)
    expect(out).toContain('✓ VM 103 is ready')
    // the exact login command, with the guests' SSH port
    const port = t.config.install.guestSshPort
    expect(out).toMatch(new RegExp(`^ {2}SSH {7}ssh -p ${port} deploy@127\\.0\\.0\\.103$`, 'm'))
    expect(out).not.toContain('Password')
    const config = await t.cluster.vmConfig('pve1', 103)
    expect(config.name).toBe('cli-vm')
    expect(config.cores).toBe('3')
  })

  it('streams an install as JSON lines with --json', async () => {
    const run = await cli('install', 'ubuntu', '24.04', '--json', '--passwd', 'Secret-pw-1')
    expect(run.code).toBe(0)
    const events = jsonLines(run.stdout)
    expect(events[0]).toMatchObject({
      id: '1',
      step: 'preparation > checking VMID',
      status: 'processing',
    })
    expect(typeof events[0]?.job_id).toBe('string')
    // one event per line, each with its stage of 18, then the result object
    const result = events.pop()
    expect(events.at(-1)).toMatchObject({
      step: 'VM initialization > finalizing',
      status: 'success',
      vm_id: 104,
      stage: 18,
      stages: 18,
    })
    expect(events.every((event) => event.stages === 18)).toBe(true)
    expect(events.map((event) => Number(event.id))).toEqual(events.map((_, index) => index + 1))
    expect(result).toEqual({
      vmid: 104,
      ip: '127.0.0.104',
      node: 'pve1',
      user: 'ubuntu',
      ssh: `ssh -p ${t.config.install.guestSshPort} ubuntu@127.0.0.104`,
    })
  })

  it('refuses bad input with the field named and a non-zero status', async () => {
    const noOs = await cli('install', '--version', '12')
    expect(noOs.code).toBe(2)
    expect(noOs.stderr).toContain('--os is required')
    const badNumber = await cli('install', 'debian', '12', '--cpu', 'four')
    expect(badNumber.code).toBe(2)
    expect(badNumber.stderr).toContain('--cpu: "four" is not a whole number')
    const unknownVersion = await cli('install', 'ubuntu', '23.10')
    expect(unknownVersion.code).toBe(1)
    expect(unknownVersion.stderr).toContain('version: ubuntu 23.10 is not supported')
    const unknownFlag = await cli('list', '--colour')
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toContain("Unknown option '--colour'")
    const json = await cli('status', '999', '--json')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'HTTP_404', message: 'VM 999 does not exist', status: 404 },
    })
  })
})
