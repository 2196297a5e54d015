import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { qcow2Header } from '../../../src/sim/index.js'
import type { Simulator } from '../../../src/sim/index.js'
import { asList, asRecord, buildSim, call, get, runTask, UPID_PATTERN } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('tasks', () => {
  it('reports a finished task with the status fields of PVE', async () => {
    sim = await buildSim()
    const { upid } = await runTask(sim, 'POST', '/nodes/pve2/qemu/101/status/start')
    expect(upid).toMatch(UPID_PATTERN)
    const [, node, pid, pstart, start] = upid.split(':')
    const status = asRecord(await get(sim, `/nodes/pve2/tasks/${upid}/status`))
    expect(status).toEqual({
      upid,
      node,
      pid: parseInt(pid ?? '', 16),
      pstart: parseInt(pstart ?? '', 16),
      starttime: parseInt(start ?? '', 16),
      type: 'qmstart',
      id: '101',
      user: 'root@pam',
      status: 'stopped',
      exitstatus: 'OK',
    })
  })

  it('pages the log with start and limit (default 50), n counting from 1', async () => {
    sim = await buildSim({ demoVms: false })
    const { upid } = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 200,
      scsi0: 'local-lvm:1',
      scsi1: 'local-lvm:1',
    })
    const full = await call(sim, 'GET', `/nodes/pve1/tasks/${upid}/log`)
    expect(full.total).toBe(5)
    expect(full.data).toEqual([
      { n: 1, t: '  Logical volume "vm-200-disk-0" created.' },
      { n: 2, t: "scsi0: successfully created disk 'local-lvm:vm-200-disk-0,size=1G'" },
      { n: 3, t: '  Logical volume "vm-200-disk-1" created.' },
      { n: 4, t: "scsi1: successfully created disk 'local-lvm:vm-200-disk-1,size=1G'" },
      { n: 5, t: 'TASK OK' },
    ])
    expect(await get(sim, `/nodes/pve1/tasks/${upid}/log`, { start: 3, limit: 1 })).toEqual([
      { n: 4, t: "scsi1: successfully created disk 'local-lvm:vm-200-disk-1,size=1G'" },
    ])
    expect(await get(sim, `/nodes/pve1/tasks/${upid}/log`, { start: 9 })).toEqual([
      { n: 1, t: 'no content' },
    ])
  })

  it('limits a long log to 50 lines unless limit=0', async () => {
    sim = await buildSim({ demoVms: false })
    const dir = await mkdtemp(join(tmpdir(), 'sim-tasks-'))
    await writeFile(join(dir, 'a.qcow2'), qcow2Header(1024 ** 3))
    const { upid } = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 201,
      scsi0: `local-lvm:0,import-from=${join(dir, 'a.qcow2')}`,
    })
    await rm(dir, { recursive: true })
    expect(asList(await get(sim, `/nodes/pve1/tasks/${upid}/log`))).toHaveLength(50)
    const all = asList(await get(sim, `/nodes/pve1/tasks/${upid}/log`, { limit: 0 }))
    expect(all.at(-1)).toEqual({ n: all.length, t: 'TASK OK' })
  })

  it('answers unknown and malformed UPIDs as PVE does', async () => {
    sim = await buildSim()
    const unknown = 'UPID:pve1:00001234:00ABCDEF:65000000:qmstart:100:root@pam:'
    expect((await call(sim, 'GET', `/nodes/pve1/tasks/${unknown}/status`)).errors).toEqual({
      upid: 'no such task',
    })
    expect(await get(sim, `/nodes/pve1/tasks/${unknown}/log`)).toEqual([
      { n: 1, t: 'unable to open file - No such file or directory' },
    ])
    expect((await call(sim, 'GET', '/nodes/pve1/tasks/not-a-upid/status')).errors).toEqual({
      upid: 'unable to parse worker upid',
    })
  })

  it('lists recent tasks of a node, newest first, with their status text', async () => {
    sim = await buildSim()
    await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/start')
    await runTask(sim, 'POST', '/nodes/pve1/qemu/100/status/stop')
    const tasks = asList(await get(sim, '/nodes/pve1/tasks'))
    expect(tasks.map((t) => [t.type, t.status])).toEqual([
      ['qmstop', 'OK'],
      ['qmstart', 'VM 100 already running'],
    ])
    expect(asList(await get(sim, '/nodes/pve1/tasks', { errors: 1 })).map((t) => t.type)).toEqual([
      'qmstart',
    ])
  })

  it('records a token user apart from its token id', async () => {
    sim = await buildSim()
    const response = await call(
      sim,
      'POST',
      '/nodes/pve2/qemu/101/status/start',
      {},
      { user: 'svc@pve', tokenId: 'ci', via: 'rest-json' },
    )
    const upid = String(response.data)
    expect(upid).toMatch(/:svc@pve!ci:$/)
    await sim.followTask(upid)
    expect(asRecord(await get(sim, `/nodes/pve2/tasks/${upid}/status`))).toMatchObject({
      user: 'svc@pve',
      tokenid: 'ci',
    })
  })
})
