import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Simulator } from '../../src/sim/index.js'
import { asList, asRecord, buildSim, call, get, runTask } from './helpers.js'
import { startFakeCliCluster } from './faces/cli/fake-cli-cluster.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
  vi.useRealTimers()
})

const shared = 'nfs-shared'

/** A simulator with the opt-in shared NFS storage. */
async function start(options: Parameters<typeof buildSim>[0] = {}): Promise<Simulator> {
  sim = await buildSim({ demoVms: false, sharedStorage: shared, ...options })
  return sim
}

/** Volume IDs on a node's storage, as `GET .../storage/{s}/content` lists them. */
async function volids(s: Simulator, node: string, storage: string): Promise<string[]> {
  const content = asList(await get(s, `/nodes/${node}/storage/${storage}/content`))
  return content.map((entry) => String(entry.volid)).sort()
}

/** A node's storage as `GET /nodes/{n}/storage` lists it. */
async function storageOf(
  s: Simulator,
  node: string,
  storage: string,
): Promise<Record<string, unknown> | undefined> {
  return asList(await get(s, `/nodes/${node}/storage`)).find((entry) => entry.storage === storage)
}

async function createVm(s: Simulator, node: string, vmid: number, disk: string): Promise<void> {
  const task = await runTask(s, 'POST', `/nodes/${node}/qemu`, { vmid, scsi0: disk })
  expect(task.exitstatus).toBe('OK')
}

describe('the shared storage option', () => {
  it('is off by default: every node has only local and local-lvm', async () => {
    sim = await buildSim({ demoVms: false })
    for (const node of ['pve1', 'pve2', 'pve3']) {
      const listed = asList(await get(sim, `/nodes/${node}/storage`))
      expect(listed.map((entry) => [entry.storage, entry.shared])).toEqual([
        ['local', 0],
        ['local-lvm', 0],
      ])
    }
  })

  it('adds one NFS storage, shared, on every node', async () => {
    const s = await start()
    for (const node of ['pve1', 'pve2', 'pve3']) {
      expect(await storageOf(s, node, shared)).toMatchObject({
        type: 'nfs',
        shared: 1,
        active: 1,
        enabled: 1,
        content: 'images,import,iso,snippets',
      })
    }
    const resources = asList(await get(s, '/cluster/resources', { type: 'storage' }))
    expect(
      resources
        .filter((entry) => entry.storage === shared)
        .map((entry) => [entry.id, entry.plugintype, entry.shared]),
    ).toEqual([
      [`storage/pve1/${shared}`, 'nfs', 1],
      [`storage/pve2/${shared}`, 'nfs', 1],
      [`storage/pve3/${shared}`, 'nfs', 1],
    ])
  })

  it('refuses an ID that is no storage ID, or one a node already has', async () => {
    await expect(buildSim({ sharedStorage: 'NFS share' })).rejects.toThrow(
      "shared storage ID 'NFS share' is not a storage ID",
    )
    await expect(buildSim({ sharedStorage: 'local' })).rejects.toThrow(
      "shared storage ID 'local' is taken by a node's own storage",
    )
  })
})

describe('one volume set, seen from every node', () => {
  it('lists a disk made on one node on every node, with the same used bytes', async () => {
    const s = await start()
    const before = await storageOf(s, 'pve3', shared)
    await createVm(s, 'pve1', 300, `${shared}:4`)
    for (const node of ['pve1', 'pve2', 'pve3'])
      expect(await volids(s, node, shared)).toEqual([`${shared}:300/vm-300-disk-0.qcow2`])
    const used = (await storageOf(s, 'pve1', shared))?.used
    expect(used).toBeGreaterThan(Number(before?.used))
    expect((await storageOf(s, 'pve3', shared))?.used).toBe(used)
    // a local storage stays the node's own
    await createVm(s, 'pve1', 301, 'local-lvm:4')
    expect(await volids(s, 'pve1', 'local-lvm')).toEqual(['local-lvm:vm-301-disk-0'])
    expect(await volids(s, 'pve2', 'local-lvm')).toEqual([])
  })

  it('migrates a VM on shared storage without copying a disk, and names new disks cluster-wide', async () => {
    const s = await start()
    await createVm(s, 'pve1', 300, `${shared}:4`)
    const migration = await runTask(s, 'POST', '/nodes/pve1/qemu/300/migrate', { target: 'pve2' })
    expect(migration.exitstatus).toBe('OK')
    const log = migration.lines.join('\n')
    expect(log).not.toContain('found local disk')
    expect(log).not.toContain('copying local disk images')
    expect(log).toContain('migration finished successfully')
    const config = asRecord(await get(s, '/nodes/pve2/qemu/300/config'))
    expect(String(config.scsi0)).toMatch(/^nfs-shared:300\/vm-300-disk-0\.qcow2,/)
    // the next disk, added on pve2, sees disk-0 made on pve1
    const added = await runTask(s, 'POST', '/nodes/pve2/qemu/300/config', { scsi1: `${shared}:1` })
    expect(added.exitstatus).toBe('OK')
    expect(await volids(s, 'pve3', shared)).toEqual([
      `${shared}:300/vm-300-disk-0.qcow2`,
      `${shared}:300/vm-300-disk-1.qcow2`,
    ])
    // destroyed on pve2: both are freed, for every node
    const destroyed = await runTask(s, 'DELETE', '/nodes/pve2/qemu/300')
    expect(destroyed.exitstatus).toBe('OK')
    expect(await volids(s, 'pve1', shared)).toEqual([])
  })

  it('reads and removes a snippet written on one node from the others', async () => {
    const s = await start()
    s.storage.writeSnippet('pve1', shared, 'user.yaml', '#cloud-config\n')
    expect(await volids(s, 'pve3', shared)).toEqual([`${shared}:snippets/user.yaml`])
    expect(s.storage.removeSnippet('pve2', `${shared}:snippets/user.yaml`)).toBe(true)
    expect(await volids(s, 'pve1', shared)).toEqual([])
  })
})

describe('templates and clones on shared storage', () => {
  /** VM 9000 on pve1, its disk on the shared storage, made a template. */
  async function sharedTemplate(s: Simulator): Promise<void> {
    await createVm(s, 'pve1', 9000, `${shared}:4`)
    const task = await runTask(s, 'POST', '/nodes/pve1/qemu/9000/template')
    expect(task.exitstatus).toBe('OK')
  }

  /** Template 9000 linked-cloned as VM 9001 onto `target`; returns the clone task's log. */
  async function cloneTo(s: Simulator, target: string): Promise<string[]> {
    const clone = await runTask(s, 'POST', '/nodes/pve1/qemu/9000/clone', { newid: 9001, target })
    expect(clone.exitstatus).toBe('OK')
    return clone.lines
  }

  it('clones to another node: the config lands there, the disk on the shared storage', async () => {
    const s = await start()
    await sharedTemplate(s)
    const lines = await cloneTo(s, 'pve2')
    expect(lines).toContain(
      `create linked clone of drive scsi0 (${shared}:9000/base-9000-disk-0.qcow2)`,
    )
    const vm = s.snapshot().vms.find((entry) => entry.vmid === 9001)
    expect(vm?.node).toBe('pve2')
    expect(vm?.config.scsi0).toMatch(
      /^nfs-shared:9000\/base-9000-disk-0\.qcow2\/9001\/vm-9001-disk-0\.qcow2,/,
    )
    expect(await volids(s, 'pve3', shared)).toContain(
      `${shared}:9000/base-9000-disk-0.qcow2/9001/vm-9001-disk-0.qcow2`,
    )
  })

  it('refuses a clone to another node of a template on local storage, as before', async () => {
    const s = await start()
    await createVm(s, 'pve1', 9000, 'local-lvm:4')
    expect((await runTask(s, 'POST', '/nodes/pve1/qemu/9000/template')).exitstatus).toBe('OK')
    await expectCloneToPve2Refused(s)
  })

  it('refuses a clone to another node while an ISO on local storage is in its CD-ROM drive', async () => {
    const server = createServer((_req, res) => res.end(Buffer.alloc(2048, 1)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tools.iso`
      const s = await start()
      for (const storage of ['local', shared]) {
        const download = await runTask(s, 'POST', `/nodes/pve1/storage/${storage}/download-url`, {
          url,
          filename: 'tools.iso',
          content: 'iso',
        })
        expect(download.exitstatus).toBe('OK')
      }
      const task = await runTask(s, 'POST', '/nodes/pve1/qemu', {
        vmid: 9000,
        scsi0: `${shared}:4`,
        ide2: 'local:iso/tools.iso,media=cdrom',
      })
      expect(task.exitstatus).toBe('OK')
      expect((await runTask(s, 'POST', '/nodes/pve1/qemu/9000/template')).exitstatus).toBe('OK')
      await expectCloneToPve2Refused(s)
      // the same ISO on the shared storage does not hold it back
      const swap = await call(s, 'PUT', '/nodes/pve1/qemu/9000/config', {
        ide2: `${shared}:iso/tools.iso,media=cdrom`,
      })
      expect(swap.status).toBe(200)
      await cloneTo(s, 'pve2')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('migrates a linked clone on shared storage, which local storage refuses', async () => {
    const s = await start()
    await sharedTemplate(s)
    await cloneTo(s, 'pve2')
    const migration = await runTask(s, 'POST', '/nodes/pve2/qemu/9001/migrate', {
      target: 'pve3',
    })
    expect(migration.exitstatus).toBe('OK')
    expect(migration.lines.join('\n')).not.toContain('found local disk')
    expect(s.snapshot().vms.find((entry) => entry.vmid === 9001)?.node).toBe('pve3')
  })

  it('refuses to destroy the template while a clone on another node uses its base', async () => {
    const s = await start()
    await sharedTemplate(s)
    await cloneTo(s, 'pve3')
    const refused = await runTask(s, 'DELETE', '/nodes/pve1/qemu/9000')
    expect(refused.exitstatus).toBe(
      `base volume '${shared}:9000/base-9000-disk-0.qcow2' is still in use by linked cloned`,
    )
    expect(s.snapshot().vms.some((entry) => entry.vmid === 9000)).toBe(true)
    // once the clone is gone, the template goes
    expect((await runTask(s, 'DELETE', '/nodes/pve3/qemu/9001')).exitstatus).toBe('OK')
    expect((await runTask(s, 'DELETE', '/nodes/pve1/qemu/9000')).exitstatus).toBe('OK')
    expect(await volids(s, 'pve2', shared)).toEqual([])
  })
})

describe('the shared storage lock', () => {
  /** 20 creates at once on `storage`, spread over the three nodes; their task statuses. */
  async function parallelCreates(s: Simulator, storage: string): Promise<string[][]> {
    const upids: string[] = []
    for (let i = 0; i < 20; i++) {
      const node = ['pve1', 'pve2', 'pve3'][i % 3] ?? 'pve1'
      const response = await call(s, 'POST', `/nodes/${node}/qemu`, {
        vmid: 400 + i,
        scsi0: `${storage}:8`,
      })
      upids.push(String(response.data))
    }
    const results = Promise.all(
      upids.map(async (upid) => {
        const lines: string[] = []
        const status = await s.followTask(upid, (line) => lines.push(line))
        return [status, ...lines]
      }),
    )
    await vi.advanceTimersByTimeAsync(30_000)
    return results
  }

  it('is one lock for the whole cluster: creates on three nodes time out with pmxcfs words', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    })
    const s = await start({ speed: 1 })
    const results = await parallelCreates(s, shared)
    const failed = results.filter(([status]) => status !== 'OK')
    expect(failed.length).toBeGreaterThan(0)
    for (const [status, ...lines] of failed) {
      expect(status).toMatch(
        /^unable to create VM 4\d\d - cfs-lock 'storage-nfs-shared' error: got lock request timeout$/,
      )
      expect(lines).toContain("trying to acquire cfs lock 'storage-nfs-shared' ...")
    }
    expect(s.snapshot().vms).toHaveLength(results.length - failed.length)
  })

  it('is per node on local storage: the same creates spread over three nodes all get it', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    })
    const s = await start({ speed: 1 })
    const results = await parallelCreates(s, 'local-lvm')
    expect(results.map(([status]) => status)).toEqual(results.map(() => 'OK'))
  })
})

describe('the fake pvesm on a shared storage', () => {
  it('lists a volume made on pve1 from pve3, and shows the storage as nfs', async () => {
    const cluster = await startFakeCliCluster({ sim: { demoVms: false, sharedStorage: shared } })
    try {
      const run = async (node: string, argv: string[]) => cluster.localAs(node).run(argv, {})
      expect((await run('pve1', ['qm', 'create', '300', '--scsi0', `${shared}:2`])).exitCode).toBe(
        0,
      )
      const list = await run('pve3', ['pvesm', 'list', shared])
      expect(list.exitCode).toBe(0)
      const rows = list.stdout.trimEnd().split('\n').slice(1)
      expect(rows.map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
        [`${shared}:300/vm-300-disk-0.qcow2`, 'qcow2', 'images'],
      ])
      const status = await run('pve2', ['pvesm', 'status', '--storage', shared])
      expect(status.stdout.trimEnd().split('\n')[1]?.split(/\s+/).slice(0, 3)).toEqual([
        shared,
        'nfs',
        'active',
      ])
    } finally {
      await cluster.close()
    }
  })

  it('qm clone --target: refused for a template on local storage, done for one on the shared storage', async () => {
    const cluster = await startFakeCliCluster({ sim: { demoVms: false, sharedStorage: shared } })
    try {
      const run = async (argv: string[]) => cluster.localAs('pve1').run(argv, {})
      for (const [vmid, disk] of [
        ['300', 'local-lvm:2'],
        ['310', `${shared}:2`],
      ] as const) {
        expect((await run(['qm', 'create', vmid, '--scsi0', disk])).exitCode).toBe(0)
        expect((await run(['qm', 'template', vmid])).exitCode).toBe(0)
      }
      const local = await run(['qm', 'clone', '300', '301', '--target', 'pve2'])
      expect(local.exitCode).toBe(255)
      expect(local.stderr).toContain("can't clone VM to node 'pve2' (VM uses local storage)")
      const onShared = await run(['qm', 'clone', '310', '311', '--target', 'pve2'])
      expect(onShared.exitCode).toBe(0)
      expect(cluster.sim.snapshot().vms.find((vm) => vm.vmid === 311)?.node).toBe('pve2')
    } finally {
      await cluster.close()
    }
  })
})

describe('a shared storage across simulator restarts', () => {
  it('keeps its volumes, even one made on a node that has left the cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-shared-'))
    try {
      const first = await start({ dataDir: dir })
      await createVm(first, 'pve1', 300, `${shared}:2`)
      await createVm(first, 'pve3', 301, `${shared}:2`)
      await createVm(first, 'pve3', 302, 'local-lvm:2')
      await first.close()
      const nodes = [
        { name: 'pve1', ip: '127.0.1.1' },
        { name: 'pve2', ip: '127.0.1.2' },
      ]
      const second = await start({ dataDir: dir, nodes })
      // pve3's VMs and local volumes went with it; its disk on the NFS export is still there
      expect(second.snapshot().vms.map((vm) => vm.vmid)).toEqual([300])
      expect(await volids(second, 'pve2', shared)).toEqual([
        `${shared}:300/vm-300-disk-0.qcow2`,
        `${shared}:301/vm-301-disk-0.qcow2`,
      ])
    } finally {
      // closed (and its state flushed) before its folder goes
      await sim?.close()
      sim = undefined
      await rm(dir, { recursive: true, force: true })
    }
  })
})

/** qemu-server's refusal of `qm clone 9000 9001 --target pve2` while a disk is on local storage. */
async function expectCloneToPve2Refused(s: Simulator): Promise<void> {
  expect(
    await call(s, 'POST', '/nodes/pve1/qemu/9000/clone', { newid: 9001, target: 'pve2' }),
  ).toMatchObject({
    status: 500,
    message: "can't clone VM to node 'pve2' (VM uses local storage)",
  })
}
