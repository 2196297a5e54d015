import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startSimRestFace } from '../../src/sim/faces/rest/index.js'
import { qcow2Header, type Simulator } from '../../src/sim/index.js'
import { startFakeCliCluster } from './faces/cli/fake-cli-cluster.js'
import { rawRequest } from './faces/rest/raw-https.js'
import { asList, buildSim, call, get, runTask } from './helpers.js'

/*
 * `cicustom` snippets at `qm start` (qemu-server PVE/QemuServer/Cloudinit.pm): the cloud-init ISO
 * is built at every start, and building it reads each snippet `cicustom` names. The simulators
 * run at speed 0: a started VM has booted.
 */

const agentSnippet = [
  '#cloud-config',
  'packages: [qemu-guest-agent]',
  'runcmd: [[systemctl, start, qemu-guest-agent]]',
  '',
].join('\n')
const vendor = 'vendor=local:snippets/agent.yaml'

let dir: string
const sims: Simulator[] = []
const closers: (() => Promise<void>)[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sim-snippets-'))
})
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  for (const sim of sims.splice(0)) await sim.close()
  await rm(dir, { recursive: true, force: true })
})

async function simulator(options: { dataDir?: string } = {}): Promise<Simulator> {
  const sim = await buildSim({ demoVms: false, ...options })
  sims.push(sim)
  return sim
}

/** A stopped VM with a cloud-init drive and `extra` settings. */
async function cloudinitVm(
  sim: Simulator,
  vmid: number,
  extra: Record<string, string> = {},
): Promise<void> {
  const made = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
    vmid,
    memory: 1024,
    agent: '1',
    net0: 'virtio,bridge=vmbr0',
    ide2: 'local-lvm:cloudinit',
    ...extra,
  })
  expect(made.exitstatus, made.lines.join('\n')).toBe('OK')
}

const start = (sim: Simulator, vmid: number) =>
  runTask(sim, 'POST', `/nodes/pve1/qemu/${vmid}/status/start`)

describe('qm start and cicustom', () => {
  it('refuses a volume outside the snippets directory and a snippet the node lacks, leaving the VM stopped', async () => {
    const sim = await simulator()
    await cloudinitVm(sim, 300, { cicustom: 'vendor=local:iso/agent.yaml' })
    expect((await start(sim, 300)).exitstatus).toBe(
      'local:iso/agent.yaml is not in the snippets directory',
    )
    await cloudinitVm(sim, 301, { cicustom: vendor })
    const missing = await start(sim, 301)
    expect(missing.exitstatus).toBe("can't find file 'local:snippets/agent.yaml'")
    // the ISO is never written: its files are read first
    expect(missing.lines).not.toContain('generating cloud-init ISO')
    expect(sim.snapshot().vms.map((vm) => vm.status)).toEqual(['stopped', 'stopped'])
    // a snippet on another node does not help: the file is read where the VM starts
    sim.storage.writeSnippet('pve2', 'local', 'agent.yaml', agentSnippet)
    expect((await start(sim, 301)).exitstatus).toBe("can't find file 'local:snippets/agent.yaml'")
    sim.storage.writeSnippet('pve1', 'local', 'agent.yaml', agentSnippet)
    const started = await start(sim, 301)
    expect(started.exitstatus).toBe('OK')
    expect(started.lines).toContain('generating cloud-init ISO')
  })

  it('reads the files in qemu-server order (network, user, meta, vendor) and only with a cloud-init drive', async () => {
    const sim = await simulator()
    await cloudinitVm(sim, 302, {
      cicustom: 'vendor=local:snippets/v.yaml,user=local:snippets/u.yaml',
    })
    expect((await start(sim, 302)).exitstatus).toBe("can't find file 'local:snippets/u.yaml'")
    // an unknown storage dies in parse_volname; an LVM-thin pool has no snippets directory
    await cloudinitVm(sim, 303, { cicustom: 'user=nas:snippets/u.yaml' })
    expect((await start(sim, 303)).exitstatus).toBe("storage 'nas' does not exist")
    await cloudinitVm(sim, 304, { cicustom: 'user=local-lvm:snippets/u.yaml' })
    expect((await start(sim, 304)).exitstatus).toBe(
      "unable to parse lvm volume name 'snippets/u.yaml'",
    )
    const bare = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 305,
      memory: 1024,
      cicustom: vendor,
    })
    expect(bare.exitstatus).toBe('OK')
    expect((await start(sim, 305)).exitstatus).toBe('OK')
  })

  it('fails the start the same way through the REST face', async () => {
    const sim = await simulator()
    const admin = { id: 'root@pam!admin', secret: 'admin-secret' }
    const face = await startSimRestFace({ sim, speed: 0, tokens: [admin] })
    closers.push(() => face.close())
    const api = (method: string, path: string, body?: string) =>
      rawRequest({
        method,
        url: `${face.url}/api2/json${path}`,
        ca: face.certificatePem,
        headers: {
          authorization: `PVEAPIToken=${admin.id}=${admin.secret}`,
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(body === undefined ? {} : { body }),
      })
    const statusOf = async (vmid: number): Promise<unknown> => {
      const answer = await api('POST', `/nodes/pve1/qemu/${vmid}/status/start`)
      const upid = (answer.json as { data: string }).data
      await sim.followTask(upid)
      const status = await api('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)
      return (status.json as { data: { exitstatus?: string } }).data.exitstatus
    }
    for (const [vmid, cicustom] of [
      [310, 'vendor=local:iso/agent.yaml'],
      [311, vendor],
    ] as const) {
      const made = await api(
        'POST',
        '/nodes/pve1/qemu',
        `vmid=${vmid}&memory=1024&ide2=${encodeURIComponent('local-lvm:cloudinit')}&cicustom=${encodeURIComponent(cicustom)}`,
      )
      expect(made.status).toBe(200)
      await sim.followTask((made.json as { data: string }).data)
    }
    expect(await statusOf(310)).toBe('local:iso/agent.yaml is not in the snippets directory')
    expect(await statusOf(311)).toBe("can't find file 'local:snippets/agent.yaml'")
    sim.storage.writeSnippet('pve1', 'local', 'agent.yaml', agentSnippet)
    expect(await statusOf(311)).toBe('OK')
  })

  it('prints the task error and exits 255 through the fake qm start', async () => {
    const cluster = await startFakeCliCluster({ sim: { demoVms: false } })
    closers.push(() => cluster.close())
    const qm = (argv: string[]) => cluster.localAs('pve1').run(['qm', ...argv], {})
    for (const [vmid, cicustom] of [
      ['320', 'vendor=local:iso/agent.yaml'],
      ['321', vendor],
    ] as const) {
      const made = await qm([
        'create',
        vmid,
        '--ide2',
        'local-lvm:cloudinit',
        '--cicustom',
        cicustom,
      ])
      expect(made.exitCode, made.stderr).toBe(0)
    }
    const outside = await qm(['start', '320'])
    expect(outside.exitCode).toBe(255)
    expect(outside.stderr).toContain('local:iso/agent.yaml is not in the snippets directory')
    const missing = await qm(['start', '321'])
    expect(missing.exitCode).toBe(255)
    expect(missing.stderr).toContain("can't find file 'local:snippets/agent.yaml'")
    cluster.sim.storage.writeSnippet('pve1', 'local', 'agent.yaml', agentSnippet)
    expect((await qm(['start', '321'])).exitCode).toBe(0)
  })
})

describe('snippet files on the simulated storages', () => {
  it('are listed by the content routes as format snippet, and saved with the state', async () => {
    const dataDir = join(dir, 'state')
    const first = await simulator({ dataDir })
    const volid = first.storage.writeSnippet('pve1', 'local', 'agent.yaml', agentSnippet)
    expect(volid).toBe('local:snippets/agent.yaml')
    const listed = asList(
      await get(first, '/nodes/pve1/storage/local/content', { content: 'snippets' }),
    )
    expect(listed).toEqual([
      expect.objectContaining({
        volid,
        content: 'snippets',
        format: 'snippet',
        size: Buffer.byteLength(agentSnippet),
      }),
    ])
    expect(asList(await get(first, '/nodes/pve2/storage/local/content'))).toEqual([])
    await first.close()
    const second = await simulator({ dataDir })
    const again = asList(await get(second, '/nodes/pve1/storage/local/content'))
    expect(again.map((entry) => entry.volid)).toEqual([volid])
    await cloudinitVm(second, 330, { cicustom: `vendor=${volid}` })
    expect((await start(second, 330)).exitstatus).toBe('OK')
  })

  it('can only go on a storage with the snippets content type', async () => {
    const sim = await simulator()
    expect(() => sim.storage.writeSnippet('pve1', 'local-lvm', 'a.yaml', 'x')).toThrow(
      "storage 'local-lvm' on pve1 has no snippets content type (content images,rootdir)",
    )
    // a fresh PVE install's `local`: no snippets until the admin adds the type
    sim.storage.setContent('pve1', 'local', ['backup', 'import', 'iso', 'vztmpl'])
    expect(() => sim.storage.writeSnippet('pve1', 'local', 'a.yaml', 'x')).toThrow(
      /has no snippets content type/,
    )
    const storages = asList(await get(sim, '/nodes/pve1/storage', { content: 'snippets' }))
    expect(storages).toEqual([])
    expect(() => sim.storage.setContent('pve1', 'local-lvm', ['snippets'])).toThrow(
      "lvmthin storage 'local-lvm' cannot hold snippets",
    )
    expect(() => sim.storage.writeSnippet('pve1', 'local', '../a.yaml', 'x')).toThrow()
  })
})

describe('a vendor snippet that installs qemu-guest-agent', () => {
  /** A VM whose boot disk is imported from Debian's image: no agent on it. */
  async function debianVm(sim: Simulator, vmid: number, cicustom?: string): Promise<void> {
    const image = join(dir, 'debian-12-genericcloud-amd64.qcow2')
    await writeFile(image, qcow2Header(2 * 1024 ** 3))
    await cloudinitVm(sim, vmid, {
      scsi0: `local-lvm:0,import-from=${image}`,
      boot: 'order=scsi0',
      ...(cicustom === undefined ? {} : { cicustom }),
    })
  }
  const ping = async (sim: Simulator, vmid: number): Promise<string> => {
    const answer = await call(sim, 'POST', `/nodes/pve1/qemu/${vmid}/agent/ping`)
    return answer.status === 200 ? 'ok' : (answer.message ?? String(answer.status))
  }

  it('gives a Debian disk a running agent; a snippet that does not install it does not', async () => {
    const sim = await simulator()
    sim.storage.writeSnippet('pve1', 'local', 'agent.yaml', agentSnippet)
    sim.storage.writeSnippet('pve1', 'local', 'tz.yaml', '#cloud-config\ntimezone: UTC\n')
    await debianVm(sim, 340)
    await debianVm(sim, 341, vendor)
    await debianVm(sim, 342, 'vendor=local:snippets/tz.yaml')
    for (const vmid of [340, 341, 342]) expect((await start(sim, vmid)).exitstatus).toBe('OK')
    expect(await ping(sim, 340)).toBe('QEMU guest agent is not running')
    expect(await ping(sim, 341)).toBe('ok')
    expect(await ping(sim, 342)).toBe('QEMU guest agent is not running')
    // the test's hold still wins
    const release = sim.network.holdAgent(341)
    expect(await ping(sim, 341)).toBe('QEMU guest agent is not running')
    release()
    expect(await ping(sim, 341)).toBe('ok')
  })
})
