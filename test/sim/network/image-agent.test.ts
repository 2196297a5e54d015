import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { imageShipsGuestAgent } from '../../../src/sim/image-guest-agent.js'
import { qcow2Header } from '../../../src/sim/index.js'
import type { Simulator } from '../../../src/sim/index.js'
import { buildSim, call, runTask } from '../helpers.js'

/*
 * Whether a simulated VM's guest agent answers depends on the OS on its boot disk, as on a real
 * node (cloud-images.md §3.1-3.3): Debian's and Ubuntu's cloud images ship no qemu-guest-agent,
 * Rocky's GenericCloud images do. The simulators here run at speed 0: a started VM has booted.
 */

const GiB = 1024 ** 3
const debian = 'debian-12-genericcloud-amd64.qcow2'
const rocky = 'Rocky-9-GenericCloud-Base.latest.x86_64.qcow2'
const notRunning = 'QEMU guest agent is not running'

let dir: string
const sims: Simulator[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-image-agent-'))
})
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.close()
  await rm(dir, { recursive: true, force: true })
})

async function simulator(options: { dataDir?: string } = {}): Promise<Simulator> {
  const sim = await buildSim({ demoVms: false, ...options })
  sims.push(sim)
  return sim
}

/** A qcow2 image file under its upstream name (only the header: the simulator reads that). */
async function image(name: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, qcow2Header(2 * GiB))
  return path
}

const vmPath = (vmid: number, node = 'pve1') => `/nodes/${node}/qemu/${vmid}`

async function ok(task: Promise<{ exitstatus: string; lines: string[] }>): Promise<void> {
  const done = await task
  expect(done.exitstatus, done.lines.join('\n')).toBe('OK')
}

/** A VM the way the service makes one: its disk imported from `source`, a cloud-init drive. */
async function importedVm(sim: Simulator, vmid: number, source: string): Promise<void> {
  await ok(
    runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid,
      agent: '1',
      memory: 1024,
      net0: 'virtio,bridge=vmbr0',
      ipconfig0: `ip=127.0.0.${vmid - 300}/24,gw=127.0.0.1`,
      ide2: 'local-lvm:cloudinit',
      scsi0: `local-lvm:0,import-from=${source}`,
      boot: 'order=scsi0',
    }),
  )
}

async function power(sim: Simulator, vmid: number, action: 'start' | 'stop', node = 'pve1') {
  await ok(runTask(sim, 'POST', `${vmPath(vmid, node)}/status/${action}`))
}

/** The agent's answer to ping: `ok`, or the error message. */
async function ping(sim: Simulator, vmid: number, node = 'pve1'): Promise<string> {
  const response = await call(sim, 'POST', `${vmPath(vmid, node)}/agent/ping`)
  return response.status === 200 ? 'ok' : (response.message ?? String(response.status))
}

async function interfaces(sim: Simulator, vmid: number): Promise<string> {
  const response = await call(sim, 'GET', `${vmPath(vmid)}/agent/network-get-interfaces`)
  return response.status === 200 ? 'ok' : (response.message ?? String(response.status))
}

describe('which images ship qemu-guest-agent', () => {
  it('knows Debian and Ubuntu cloud images lack it, Rocky GenericCloud has it, by path or volume', () => {
    expect(imageShipsGuestAgent(`/var/lib/pve-qemu/images/${debian}`)).toBe(false)
    expect(imageShipsGuestAgent(`local:import/${debian}`)).toBe(false)
    expect(
      imageShipsGuestAgent('local:import/debian-13-genericcloud-amd64-20260518-2482.qcow2'),
    ).toBe(false)
    expect(imageShipsGuestAgent('/x/ubuntu-24.04-server-cloudimg-amd64.img')).toBe(false)
    expect(imageShipsGuestAgent('local:import/ubuntu-22.04-server-cloudimg-amd64.qcow2')).toBe(
      false,
    )
    expect(imageShipsGuestAgent('/x/noble-server-cloudimg-amd64.img')).toBe(false)
    expect(imageShipsGuestAgent(`nfs:import/${rocky}`)).toBe(true)
    expect(imageShipsGuestAgent('/x/Rocky-10-GenericCloud-Base-10.1-20251116.0.x86_64.qcow2')).toBe(
      true,
    )
    expect(imageShipsGuestAgent('/x/rocky-8-genericcloud.latest.x86_64.qcow2')).toBe(true)
    // what the simulator cannot tell: left unknown
    expect(imageShipsGuestAgent('/x/my-appliance.qcow2')).toBeUndefined()
    expect(imageShipsGuestAgent('local-lvm:vm-100-disk-0')).toBeUndefined()
  })
})

describe('the agent of a VM imported from a cloud image', () => {
  it('is not running on Debian genericcloud however long it runs, nor after a restart', async () => {
    const sim = await simulator()
    await importedVm(sim, 310, await image(debian))
    await power(sim, 310, 'start')
    // booted: its address answers ping, so only the missing agent keeps qemu-ga silent
    expect(sim.network.answersPing('127.0.0.10')).toBe(true)
    expect(await ping(sim, 310)).toBe(notRunning)
    expect(await interfaces(sim, 310)).toBe(notRunning)
    const volumes = sim.snapshot().storages.flatMap((storage) => storage.volumes)
    expect(volumes.filter((volume) => volume.vmid === 310)).toEqual([
      expect.objectContaining({ volid: 'local-lvm:vm-310-cloudinit' }),
      expect.objectContaining({ volid: 'local-lvm:vm-310-disk-0', qemuGuestAgent: false }),
    ])
    expect(volumes.find((v) => v.volid === 'local-lvm:vm-310-cloudinit')).not.toHaveProperty(
      'qemuGuestAgent',
    )
    await power(sim, 310, 'stop')
    await power(sim, 310, 'start')
    expect(await ping(sim, 310)).toBe(notRunning)
  })

  it('is not running on an Ubuntu cloud image imported with qm disk import', async () => {
    const sim = await simulator()
    await ok(runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid: 311, agent: '1', memory: 1024 }))
    await sim.importDisk({
      node: 'pve1',
      vmid: 311,
      source: await image('ubuntu-24.04-server-cloudimg-amd64.img'),
      storage: 'local-lvm',
      targetDisk: 'scsi0',
      onLine: () => undefined,
    })
    await power(sim, 311, 'start')
    expect(await ping(sim, 311)).toBe(notRunning)
  })

  it('answers on Rocky GenericCloud once booted, with no script; not on Debian (config change)', async () => {
    const sim = await simulator()
    for (const [vmid, name] of [
      [312, rocky],
      [318, debian],
    ] as const) {
      await ok(runTask(sim, 'POST', '/nodes/pve1/qemu', { vmid, agent: '1', memory: 1024 }))
      await ok(
        runTask(sim, 'POST', `${vmPath(vmid)}/config`, {
          scsi0: `local-lvm:0,import-from=${await image(name)}`,
          boot: 'order=scsi0',
        }),
      )
      await power(sim, vmid, 'start')
    }
    expect(await ping(sim, 312)).toBe('ok')
    expect(await interfaces(sim, 312)).toBe('ok')
    expect(await ping(sim, 318)).toBe(notRunning)
  })

  it('goes by the name of an import volume the node downloaded (download-url)', async () => {
    const sim = await simulator()
    const server = await serveImage()
    try {
      for (const name of [debian, rocky]) {
        await ok(
          runTask(sim, 'POST', '/nodes/pve1/storage/local/download-url', {
            url: `${server.url}/${name}`,
            filename: name,
            content: 'import',
          }),
        )
      }
    } finally {
      await new Promise((resolve) => server.server.close(resolve))
    }
    await importedVm(sim, 313, `local:import/${debian}`)
    await importedVm(sim, 314, `local:import/${rocky}`)
    await power(sim, 313, 'start')
    await power(sim, 314, 'start')
    expect(await ping(sim, 313)).toBe(notRunning)
    expect(await ping(sim, 314)).toBe('ok')
  })

  it('answers once the guest installed it, after every later boot too', async () => {
    const sim = await simulator()
    await importedVm(sim, 315, await image(debian))
    await power(sim, 315, 'start')
    expect(await ping(sim, 315)).toBe(notRunning)
    expect(sim.installGuestAgent(315)).toBe(true)
    expect(await ping(sim, 315)).toBe('ok')
    await power(sim, 315, 'stop')
    await power(sim, 315, 'start')
    expect(await ping(sim, 315)).toBe('ok')
  })

  it('answers on a blank disk or an image it does not know, only the boot disk counts', async () => {
    const sim = await simulator()
    await importedVm(sim, 316, await image('my-appliance.qcow2'))
    // a Debian disk that is not the one the VM boots from
    await ok(
      runTask(sim, 'POST', '/nodes/pve1/qemu', {
        vmid: 317,
        agent: '1',
        scsi0: 'local-lvm:4',
        scsi1: `local-lvm:0,import-from=${await image(debian)}`,
        boot: 'order=scsi0',
      }),
    )
    await power(sim, 316, 'start')
    await power(sim, 317, 'start')
    expect(await ping(sim, 316)).toBe('ok')
    expect(await ping(sim, 317)).toBe('ok')
    // the same disks, booting from the Debian one: its missing agent now counts
    await power(sim, 317, 'stop')
    await ok(runTask(sim, 'POST', `${vmPath(317)}/config`, { boot: 'order=scsi1;scsi0' }))
    await power(sim, 317, 'start')
    expect(await ping(sim, 317)).toBe(notRunning)
  })
})

describe('the agent travels with the disk', () => {
  it('is missing in a linked and a full clone of a Debian template, present in a Rocky one', async () => {
    const sim = await simulator()
    await importedVm(sim, 320, await image(debian))
    await importedVm(sim, 321, await image(rocky))
    await ok(runTask(sim, 'POST', `${vmPath(320)}/template`))
    await ok(runTask(sim, 'POST', `${vmPath(321)}/template`))
    await ok(runTask(sim, 'POST', `${vmPath(320)}/clone`, { newid: 330, full: 0 }))
    await ok(runTask(sim, 'POST', `${vmPath(320)}/clone`, { newid: 331, full: 1 }))
    await ok(runTask(sim, 'POST', `${vmPath(321)}/clone`, { newid: 332, full: 0 }))
    await ok(runTask(sim, 'POST', `${vmPath(321)}/clone`, { newid: 333, full: 1 }))
    for (const vmid of [330, 331, 332, 333]) await power(sim, vmid, 'start')
    expect(await ping(sim, 330)).toBe(notRunning)
    expect(await ping(sim, 331)).toBe(notRunning)
    expect(await ping(sim, 332)).toBe('ok')
    expect(await ping(sim, 333)).toBe('ok')
  })

  it('stays missing through a resize and a migration, and installed through a full clone', async () => {
    const sim = await simulator()
    await importedVm(sim, 322, await image(debian))
    await ok(runTask(sim, 'PUT', `${vmPath(322)}/resize`, { disk: 'scsi0', size: '+1G' }))
    await ok(runTask(sim, 'POST', `${vmPath(322)}/migrate`, { target: 'pve2' }))
    await power(sim, 322, 'start', 'pve2')
    expect(await ping(sim, 322, 'pve2')).toBe(notRunning)
    // installed on one VM, copied with its disk into a full clone
    sim.installGuestAgent(322)
    await power(sim, 322, 'stop', 'pve2')
    await ok(runTask(sim, 'POST', `${vmPath(322, 'pve2')}/clone`, { newid: 334, full: 1 }))
    await power(sim, 334, 'start', 'pve2')
    expect(await ping(sim, 334, 'pve2')).toBe('ok')
  })

  it('survives a simulator restart from sim-state.json', async () => {
    const first = await simulator({ dataDir: dir })
    await importedVm(first, 340, await image(debian))
    await importedVm(first, 341, await image(debian))
    await power(first, 341, 'start')
    first.installGuestAgent(341)
    await first.close()
    const saved = await readFile(join(dir, 'sim-state.json'), 'utf8')
    expect(saved).toContain('"qemuGuestAgent": false')
    expect(saved).toContain('"qemuGuestAgent": true')

    const second = await simulator({ dataDir: dir })
    await power(second, 340, 'start')
    expect(await ping(second, 340)).toBe(notRunning)
    // 341 was running when saved: it still runs, with the agent its script installed
    expect(await ping(second, 341)).toBe('ok')
  })
})

/** A loopback HTTP server that serves a qcow2 image under any name. */
async function serveImage(): Promise<{ server: Server; url: string }> {
  const body = qcow2Header(2 * GiB)
  const server = createServer((_req, res) => {
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { server, url: `http://127.0.0.1:${port}` }
}
