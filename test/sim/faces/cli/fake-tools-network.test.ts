import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { qcow2Header } from '../../../../src/sim/index.js'

import { startFakeCliCluster, type FakeCliCluster } from './fake-cli-cluster.js'

let cluster: FakeCliCluster

beforeAll(async () => {
  cluster = await startFakeCliCluster({ sim: { bridges: { pve3: [{ iface: 'vmbr0' }] } } })
})
afterAll(async () => {
  await cluster.close()
})

async function run(node: string, argv: string[]) {
  const result = await cluster.localAs(node).run(argv, {})
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

describe('qm guest cmd / qm agent', () => {
  it('prints nothing for a successful ping, through either name', async () => {
    expect(await run('pve1', ['qm', 'guest', 'cmd', '100', 'ping'])).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    })
    expect(await run('pve1', ['qm', 'agent', '100', 'ping'])).toMatchObject({
      exitCode: 0,
      stdout: '',
    })
  })

  it('prints network-get-interfaces as pretty JSON (3-space indent, "key" : value, keys sorted)', async () => {
    const result = await run('pve1', ['qm', 'guest', 'cmd', '100', 'network-get-interfaces'])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines.slice(0, 4)).toEqual([
      '[',
      '   {',
      '      "hardware-address" : "00:00:00:00:00:00",',
      '      "ip-addresses" : [',
    ])
    const parsed: unknown = JSON.parse(result.stdout)
    expect(parsed).toEqual([
      expect.objectContaining({ name: 'lo' }),
      expect.objectContaining({
        name: 'eth0',
        'ip-addresses': expect.arrayContaining([
          { 'ip-address': '127.0.0.100', 'ip-address-type': 'ipv4', prefix: 24 },
        ]) as unknown,
      }),
    ])
  })

  it('dies with the agent refusals, exit 255', async () => {
    expect(await run('pve2', ['qm', 'guest', 'cmd', '101', 'ping'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: 'VM 101 is not running\n',
    })
    cluster.sim.network.agentTimeout(100)
    expect(await run('pve1', ['qm', 'agent', '100', 'network-get-interfaces'])).toEqual({
      exitCode: 255,
      stdout: '',
      stderr: "VM 100 qga command 'guest-network-get-interfaces' failed - got timeout\n",
    })
    const release = cluster.sim.network.holdAgent(100)
    try {
      expect((await run('pve1', ['qm', 'agent', '100', 'ping'])).stderr).toBe(
        'QEMU guest agent is not running\n',
      )
    } finally {
      release()
    }
    expect(await run('pve1', ['qm', 'guest', 'cmd', '101', 'ping'])).toMatchObject({
      exitCode: 255,
      stderr: "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist\n",
    })
  })

  it('refuses a command outside the agent list with the 400 block', async () => {
    const result = await run('pve1', ['qm', 'guest', 'cmd', '100', 'reboot'])
    expect(result.exitCode).toBe(255)
    const lines = result.stderr.split('\n')
    expect(lines[0]).toBe('400 Parameter verification failed.')
    expect(lines[1]).toMatch(/^command: value 'reboot' does not have a value in the enumeration/)
    expect(lines).toContain('qm guest cmd <vmid> <command>')
  })

  it('prints "No QEMU guest agent configured" for a VM without agent', async () => {
    const created = await run('pve1', ['qm', 'create', '500', '--net0', 'virtio,bridge=vmbr0'])
    expect(created.exitCode).toBe(0)
    expect((await run('pve1', ['qm', 'start', '500'])).exitCode).toBe(0)
    expect(await run('pve1', ['qm', 'guest', 'cmd', '500', 'ping'])).toMatchObject({
      exitCode: 255,
      stderr: 'No QEMU guest agent configured\n',
    })
  })
})

describe('qm guest cmd on a VM whose OS has no agent', () => {
  it('dies "QEMU guest agent is not running" for a disk imported from a Debian cloud image', async () => {
    const image = join(cluster.dir, 'debian-12-genericcloud-amd64.qcow2')
    writeFileSync(image, qcow2Header(3 * 1024 ** 3))
    expect((await run('pve1', ['qm', 'create', '502', '--agent', '1'])).exitCode).toBe(0)
    const imported = await run('pve1', [
      'qm',
      'disk',
      'import',
      '502',
      image,
      'local-lvm',
      '--target-disk',
      'scsi0',
    ])
    expect(imported.exitCode).toBe(0)
    expect((await run('pve1', ['qm', 'start', '502'])).exitCode).toBe(0)
    const refused = { exitCode: 255, stdout: '', stderr: 'QEMU guest agent is not running\n' }
    expect(await run('pve1', ['qm', 'guest', 'cmd', '502', 'ping'])).toEqual(refused)
    expect(await run('pve1', ['qm', 'agent', '502', 'network-get-interfaces'])).toEqual(refused)
    // the guest's first-boot script installs it
    cluster.sim.installGuestAgent(502)
    expect(await run('pve1', ['qm', 'guest', 'cmd', '502', 'ping'])).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    })
  })
})

describe('pvesh get /nodes/{node}/network', () => {
  it('lists the bridges of any node from the main node with --type any_bridge', async () => {
    const result = await run('pve1', [
      'pvesh',
      'get',
      '/nodes/pve3/network',
      '--type',
      'any_bridge',
      '--output-format',
      'json',
    ])
    expect(result.exitCode).toBe(0)
    const list = JSON.parse(result.stdout) as { iface: string }[]
    expect(list.map((entry) => entry.iface)).toEqual(['vmbr0'])
    const pve1 = await run('pve1', [
      'pvesh',
      'get',
      '/nodes/pve1/network',
      '--type',
      'any_bridge',
      '--output-format',
      'json',
    ])
    expect((JSON.parse(pve1.stdout) as { iface: string }[]).map((e) => e.iface)).toEqual([
      'vmbr0',
      'vmbr1',
    ])
  })
})

describe('qm start on a node without the bridge', () => {
  it("prints the task error `bridge 'vmbr1' does not exist` and exits 255", async () => {
    const created = await run('pve3', ['qm', 'create', '501', '--net0', 'virtio,bridge=vmbr1'])
    expect(created.exitCode).toBe(0)
    const started = await run('pve3', ['qm', 'start', '501'])
    expect(started.exitCode).toBe(255)
    expect(started.stderr).toContain("bridge 'vmbr1' does not exist")
  })
})
