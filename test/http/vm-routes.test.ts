import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp
const nodes = (): readonly string[] => t.sim.nodes
// runs once, on the embedded simulator: the drivers are held to the same behaviour by the
// cluster contract suite (test/pve/drivers), not by running this suite again per driver
const buildApp = (env: Record<string, string> = {}): Promise<TestApp> => buildTestApp({ env })

beforeEach(async () => {
  t = await buildApp()
})
afterEach(async () => {
  await t.close()
})

interface ListBody {
  success: boolean
  vms: {
    vmid: number
    name: string
    os: string
    running: boolean
    node: string
    cpu: number
    disk: number
    memory: number
    memory_used: number
  }[]
  nodes: {
    node: string
    max_cpu: number
    max_memory: number
    cpu: number
    memory: number
    memory_used: number
    disk: number
    running: boolean
  }[]
}

async function list(): Promise<ListBody> {
  const response = await get(`${t.url}/api/vm/list`)
  expect(response.status).toBe(200)
  expect(response.type).toMatch(/^application\/json/)
  return JSON.parse(response.text) as ListBody
}

describe('GET /api/health', () => {
  it('answers ok as plain text', async () => {
    const response = await get(`${t.url}/api/health`)
    expect(response).toMatchObject({ status: 200, text: 'ok' })
    expect(response.type).toMatch(/^text\/plain/)
  })
})

describe('GET /api/vm/list', () => {
  it('lists the demo VMs and every node in the seed shape', async () => {
    const body = await list()
    expect(body.success).toBe(true)
    expect(body.vms.map((vm) => vm.vmid)).toEqual([100, 101, 102])
    const running = body.vms.find((vm) => vm.vmid === 100)
    expect(running).toMatchObject({ running: true, node: nodes()[0] })
    expect(running?.memory).toBeGreaterThanOrEqual(512)
    expect(running?.cpu).toBeGreaterThanOrEqual(1)
    expect(running?.disk).toBeGreaterThanOrEqual(1)
    expect(body.vms.find((vm) => vm.vmid === 101)?.running).toBe(false)
    expect(body.vms.map((vm) => vm.os).sort()).toEqual(['debian', 'rockylinux', 'ubuntu'])
    expect(body.nodes.map((node) => node.node)).toEqual([...nodes()].sort())
    for (const node of body.nodes) {
      expect(node.running).toBe(true)
      expect(node.max_cpu).toBeGreaterThan(0)
      expect(node.max_memory).toBeGreaterThan(1024)
      for (const fraction of [node.cpu, node.memory, node.disk]) {
        expect(fraction).toBeGreaterThanOrEqual(0)
        expect(fraction).toBeLessThanOrEqual(1)
      }
    }
  })
})

describe('GET /api/vm/:id/status', () => {
  it('answers running or stopped as plain text', async () => {
    expect(await get(`${t.url}/api/vm/100/status`)).toMatchObject({ status: 200, text: 'running' })
    expect(await get(`${t.url}/api/vm/101/status`)).toMatchObject({ status: 200, text: 'stopped' })
  })

  it('answers 404 for a VM that does not exist', async () => {
    const response = await get(`${t.url}/api/vm/999/status`)
    expect(response.status).toBe(404)
    expect(response.text).toContain('999')
    expect(response.type).toMatch(/^text\/plain/)
  })

  it.each(['abc', '99', '1000000000', '12.5'])('answers 400 naming the id for %s', async (id) => {
    const response = await get(`${t.url}/api/vm/${id}/status`)
    expect(response.status).toBe(400)
    expect(response.text).toMatch(/^id: /)
  })
})

describe('stop, shutdown and destroy', () => {
  it('stops a running VM, then refuses to stop it again with 409', async () => {
    expect(await post(`${t.url}/api/vm/100/stop`)).toMatchObject({ status: 200, text: 'ok' })
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('stopped')
    const again = await post(`${t.url}/api/vm/100/stop`)
    expect(again.status).toBe(409)
    expect(again.text).toContain('not running')
  })

  it('shuts a running VM down and refuses a stopped one', async () => {
    expect(await post(`${t.url}/api/vm/102/shutdown`)).toMatchObject({ status: 200, text: 'ok' })
    expect((await get(`${t.url}/api/vm/102/status`)).text).toBe('stopped')
    expect((await post(`${t.url}/api/vm/101/shutdown`)).status).toBe(409)
  })

  it('destroys a running VM with its disks', async () => {
    const before = t.sim.snapshot()
    expect(JSON.stringify(before)).toContain('vm-100-disk-0')
    expect(await post(`${t.url}/api/vm/100/destroy`)).toMatchObject({ status: 200, text: 'ok' })
    expect((await get(`${t.url}/api/vm/100/status`)).status).toBe(404)
    expect((await list()).vms.map((vm) => vm.vmid)).not.toContain(100)
    expect(JSON.stringify(t.sim.snapshot())).not.toContain('vm-100-disk-0')
  })

  it('refuses to destroy a protected VM with 409 and touches nothing (no stop first)', async () => {
    const node = nodes()[0] ?? ''
    await t.cluster.updateVm(node, 100, { protection: '1' })
    const response = await post(`${t.url}/api/vm/100/destroy`)
    expect(response.status).toBe(409)
    expect(response.text).toBe("can't remove VM 100 - protection mode enabled")
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('running')
    expect(JSON.stringify(t.sim.snapshot())).toContain('vm-100-disk-0')
  })

  it('refuses to destroy or stop a VM holding a Proxmox lock, naming it; never --skiplock', async () => {
    const node = nodes()[0] ?? ''
    await t.cluster.updateVm(node, 100, { lock: 'backup' })
    const destroy = await post(`${t.url}/api/vm/100/destroy`)
    expect(destroy.status).toBe(409)
    expect(destroy.text).toBe('VM is locked (backup)')
    // the running backup survives: the VM was not stopped
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('running')
    const stop = await post(`${t.url}/api/vm/100/stop`)
    expect(stop.status).toBe(409)
    expect(stop.text).toBe('VM is locked (backup)')
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('running')
    expect(JSON.stringify(t.sim.snapshot())).toContain('vm-100-disk-0')
  })

  it('answers 404 for actions on a VM that does not exist', async () => {
    for (const action of ['stop', 'shutdown', 'destroy']) {
      expect((await post(`${t.url}/api/vm/555/${action}`)).status).toBe(404)
    }
  })

  it('accepts a bodiless POST sent with a JSON content type', async () => {
    const response = await fetch(`${t.url}/api/vm/100/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    })
    expect(response.status).toBe(200)
  })
})

describe('SSE routes: start, reboot, set node', () => {
  it('starts a stopped VM and streams until it is ready', async () => {
    const stream = await readSse(`${t.url}/api/vm/101/start`)
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(stream.headers.get('x-job-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(stream.closed).toBe(true)
    expect(stream.steps[0]?.job_id).toBe(stream.headers.get('x-job-id'))
    expect(stream.steps.map((s) => s.status)).not.toContain('error')
    expect(stream.steps.at(-1)).toMatchObject({ status: 'success', vm_id: 101 })
    expect(
      stream.events.every(
        (event, index) => event.event === 'close' || event.id === String(index + 1),
      ),
    ).toBe(true)
    expect(stream.steps.some((s) => /^\[\+\] .* \(\d+\.\d\ds\)$/.test(s.message))).toBe(true)
    expect((await get(`${t.url}/api/vm/101/status`)).text).toBe('running')
  })

  it('refuses to start a running VM with 409 before any stream', async () => {
    const stream = await readSse(`${t.url}/api/vm/100/start`)
    expect(stream.status).toBe(409)
    expect(stream.text).toContain('already running')
  })

  it('reboots a running VM and refuses a stopped one', async () => {
    const stream = await readSse(`${t.url}/api/vm/100/reboot`)
    expect(stream.status).toBe(200)
    expect(stream.closed).toBe(true)
    expect(stream.steps.at(-1)?.status).toBe('success')
    expect((await readSse(`${t.url}/api/vm/101/reboot`)).status).toBe(409)
  })

  it('migrates a VM to another node with its disks, streaming the migration log', async () => {
    const target = nodes()[1] ?? ''
    const stream = await readSse(`${t.url}/api/vm/100/set/node`, { body: { node: target } })
    expect(stream.status).toBe(200)
    expect(stream.steps.map((s) => s.status)).not.toContain('error')
    expect(stream.steps.some((s) => s.message.includes('migration finished successfully'))).toBe(
      true,
    )
    expect((await list()).vms.find((vm) => vm.vmid === 100)?.node).toBe(target)
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('running')
  })

  it('refuses an unknown node, the current node and a missing body with 400', async () => {
    const unknown = await readSse(`${t.url}/api/vm/100/set/node`, { body: { node: 'nowhere' } })
    expect(unknown.status).toBe(400)
    expect(unknown.text).toMatch(/^node: /)
    const same = await readSse(`${t.url}/api/vm/100/set/node`, { body: { node: nodes()[0] } })
    expect(same.status).toBe(400)
    const missing = await readSse(`${t.url}/api/vm/100/set/node`, { body: {} })
    expect(missing).toMatchObject({ status: 400, text: 'node: is required' })
  })

  it('keeps the operation going when the client disconnects', async () => {
    const abort = new AbortController()
    const response = await fetch(`${t.url}/api/vm/101/start`, {
      method: 'POST',
      signal: abort.signal,
    })
    const jobId = response.headers.get('x-job-id') ?? ''
    abort.abort()
    const job = await t.jobs.settled(jobId)
    expect(job?.state).toBe('succeeded')
    expect((await get(`${t.url}/api/vm/101/status`)).text).toBe('running')
  })
})

describe('set cpu, memory and disk', () => {
  it('sets the vCPU count', async () => {
    expect(await post(`${t.url}/api/vm/101/set/cpu`, { cpu: 4 })).toMatchObject({
      status: 200,
      text: 'ok',
    })
    const config = await t.cluster.vmConfig(nodes()[1] ?? '', 101)
    expect(config.cores).toBe('4')
  })

  it.each([
    [{ cpu: 0 }, /^cpu: /],
    [{ cpu: 33 }, /^cpu: /],
    [{ cpu: 'many' }, /^cpu: /],
    [{}, /^cpu: is required$/],
  ])('refuses cpu body %j with 400 naming the field', async (body, message) => {
    const response = await post(`${t.url}/api/vm/101/set/cpu`, body)
    expect(response.status).toBe(400)
    expect(response.text).toMatch(message)
  })

  it('sets the memory and refuses less than 512 MB', async () => {
    expect((await post(`${t.url}/api/vm/101/set/memory`, { memory: 4096 })).status).toBe(200)
    const config = await t.cluster.vmConfig(nodes()[1] ?? '', 101)
    expect(config.memory).toBe('4096')
    const small = await post(`${t.url}/api/vm/101/set/memory`, { memory: 256 })
    expect(small.status).toBe(400)
    expect(small.text).toMatch(/^memory: /)
  })

  it('grows the boot disk by the amount given', async () => {
    const node = nodes()[1] ?? ''
    const sizeOf = async (): Promise<number> => {
      const config = await t.cluster.vmConfig(node, 101)
      const match = /size=(\d+)G/.exec(config.scsi0 ?? '')
      return Number(match?.[1])
    }
    const before = await sizeOf()
    expect((await post(`${t.url}/api/vm/101/set/disk`, { disk: '10G' })).status).toBe(200)
    expect(await sizeOf()).toBe(before + 10)
  })

  it.each(['abc', '-5G', '0G', '10X'])(
    'refuses disk %s with 400 naming the field',
    async (disk) => {
      const response = await post(`${t.url}/api/vm/101/set/disk`, { disk })
      expect(response.status).toBe(400)
      expect(response.text).toMatch(/^disk: /)
    },
  )
})

describe('changes to a running VM that wait for a restart (pve.md §10.3)', () => {
  const postJson = (path: string, body: unknown): Promise<Response> =>
    fetch(`${t.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('answers ok with X-Pending, lists the pending values, and clears them on reboot', async () => {
    const cpu = await postJson('/api/vm/100/set/cpu', { cpu: 4 })
    expect(cpu.status).toBe(200)
    expect(await cpu.text()).toBe('ok')
    expect(cpu.headers.get('x-pending')).toBe('cores')
    const memory = await postJson('/api/vm/100/set/memory', { memory: 4096 })
    expect(await memory.text()).toBe('ok')
    expect(memory.headers.get('x-pending')).toBe('memory')
    t.commandCounter?.reset()
    const listed = (await list()).vms.find((vm) => vm.vmid === 100) as
      (ListBody['vms'][number] & { pending?: Record<string, string | null> }) | undefined
    // the list tells the truth: the old values run, the new ones wait
    expect(listed).toMatchObject({ cpu: 2, memory: 2048, pending: { cores: '4', memory: '4096' } })
    // still one Proxmox read for the whole list (cli driver: one pvesh call)
    if (t.commandCounter !== undefined) {
      expect(t.commandCounter.snapshot()).toEqual({ 'pvesh get': 1 })
    }
    // a stopped VM takes the change at once: no header, nothing pending
    const stopped = await postJson('/api/vm/101/set/cpu', { cpu: 3 })
    expect(stopped.headers.get('x-pending')).toBeNull()
    expect((await list()).vms.find((vm) => vm.vmid === 101)).not.toHaveProperty('pending')

    const reboot = await readSse(`${t.url}/api/vm/100/reboot`)
    expect(reboot.steps.filter((step) => step.status === 'error')).toEqual([])
    expect((await list()).vms.find((vm) => vm.vmid === 100)).not.toHaveProperty('pending')
    const config = await t.cluster.vmConfig(nodes()[0] ?? '', 100)
    expect(config).toMatchObject({ cores: '4', memory: '4096' })
  })

  it('lowers the balloon with the memory instead of answering 502', async () => {
    const node = nodes()[1] ?? ''
    await t.cluster.updateVm(node, 101, { balloon: '2048' })
    const response = await post(`${t.url}/api/vm/101/set/memory`, { memory: 1024 })
    expect(response).toMatchObject({ status: 200, text: 'ok' })
    expect(await t.cluster.vmConfig(node, 101)).toMatchObject({ memory: '1024', balloon: '1024' })
  })
})

describe('limits of the node and the storage (issue 12 point 8)', () => {
  it('refuses memory above the memory of the VM node with 400 naming it', async () => {
    const response = await post(`${t.url}/api/vm/101/set/memory`, { memory: 4194304 })
    expect(response.status).toBe(400)
    expect(response.text).toBe(`memory: must be at most 131072 (the memory of ${nodes()[1] ?? ''})`)
    expect((await t.cluster.vmConfig(nodes()[1] ?? '', 101)).memory).toBe('2048')
  })

  it('refuses a disk growth larger than the free space of its storage with 400', async () => {
    const response = await post(`${t.url}/api/vm/101/set/disk`, { disk: '9999999T' })
    expect(response.status).toBe(400)
    expect(response.text).toMatch(
      new RegExp(
        `^disk: 9999999T exceeds the [0-9.]+G free on storage local-lvm of ${nodes()[1] ?? ''}$`,
      ),
    )
  })
})

describe('limits from the configuration', () => {
  it('refuses cpu and memory above VM_MAX_CPU and VM_MAX_RAM', async () => {
    await t.close()
    t = await buildApp({
      VM_MAX_CPU: '4',
      VM_MAX_RAM: '8192',
      VM_MAX_DISK: '40',
      VM_BALLOON_MIN: '1024',
    })
    const cpu = await post(`${t.url}/api/vm/101/set/cpu`, { cpu: 8 })
    expect(cpu.status).toBe(400)
    expect(cpu.text).toContain('VM_MAX_CPU')
    const memory = await post(`${t.url}/api/vm/101/set/memory`, { memory: 16384 })
    expect(memory.status).toBe(400)
    expect(memory.text).toContain('VM_MAX_RAM')
    expect((await post(`${t.url}/api/vm/101/set/memory`, { memory: 4096 })).status).toBe(200)
    const config = await t.cluster.vmConfig(nodes()[1] ?? '', 101)
    expect(config.balloon).toBe('1024')
    const disk = await post(`${t.url}/api/vm/101/set/disk`, { disk: '100G' })
    expect(disk.status).toBe(400)
    expect(disk.text).toContain('VM_MAX_DISK')
  })
})

describe('ALLOW_IPS', () => {
  it('refuses callers outside the list with 403, but never health or /sh', async () => {
    await t.close()
    t = await buildApp({ ALLOW_IPS: '127.0.0.9' })
    const refused = await get(`${t.url}/api/vm/list`)
    expect(refused.status).toBe(403)
    expect(refused.text).toContain('not allowed')
    expect((await post(`${t.url}/api/vm/100/stop`)).status).toBe(403)
    expect((await get(`${t.url}/api/health`)).status).toBe(200)
    expect((await get(`${t.url}/sh/debian_12.sh`)).status).toBe(200)
    expect((await get(`${t.url}/api/vm/100/status`)).text).not.toBe('stopped')
  })

  it('lets a listed CIDR in', async () => {
    await t.close()
    t = await buildApp({ ALLOW_IPS: '127.0.0.0/8' })
    expect((await get(`${t.url}/api/vm/list`)).status).toBe(200)
  })
})

describe('a VM busy with one operation', () => {
  it('refuses a second change with 409 naming what holds it', async () => {
    // the migration stays in progress until the test lets it go on
    const hold = t.sim.faults.hold({ operation: 'migrate', vmid: 100 })
    const migration = await fetch(`${t.url}/api/vm/100/set/node`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node: nodes()[1] }),
    })
    expect(migration.status).toBe(200)
    await hold.reached
    const destroy = await post(`${t.url}/api/vm/100/destroy`)
    expect(destroy.status).toBe(409)
    expect(destroy.text).toContain('migration')
    hold.release()
    expect(await migration.text()).toContain('migration finished successfully')
    expect((await get(`${t.url}/api/vm/100/status`)).status).toBe(200)
  })
})

describe('GET /sh/<os>_<version>.sh', () => {
  it('serves the first-boot script of each OS and 404 for others', async () => {
    const script = await get(`${t.url}/sh/ubuntu_24.04.sh`)
    expect(script.status).toBe(200)
    expect(script.text.startsWith('#!/usr/bin/env bash')).toBe(true)
    expect(script.text).toContain('qemu-guest-agent')
    expect((await get(`${t.url}/sh/windows_11.sh`)).status).toBe(404)
  })
})

describe('unknown routes', () => {
  it('answer 404', async () => {
    expect((await get(`${t.url}/api/nothing`)).status).toBe(404)
  })
})
