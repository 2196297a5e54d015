import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { findRelease, type OsRelease } from '../../../src/images/os-catalog.js'
import { createWorkQueue } from '../../../src/provision/install/work-queue.js'
import {
  createTemplateService,
  type TemplateRecord,
  type TemplateService,
} from '../../../src/provision/templates/template-service.js'
import { createApiDriver } from '../../../src/pve/drivers/api/index.js'
import { createInProcessTransport } from '../../../src/sim/faces/in-process-transport.js'
import { createSimulator, type Simulator } from '../../../src/sim/index.js'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'

/** A promise and its resolver: a step the test lets happen when it says so. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

function debian12(): OsRelease {
  const release = findRelease('debian', '12')
  if (release === undefined) throw new Error('debian 12 missing from the catalog')
  return release
}

describe('clones of one template', () => {
  let sim: Simulator
  let templates: TemplateService
  const template = (): TemplateRecord => ({
    vmid: 9000,
    node: 'pve1',
    storage: 'local-lvm',
    type: 'lvmthin',
    shared: false,
    release: debian12(),
    sha: 'a'.repeat(64),
    builtAt: 0,
  })

  beforeEach(async () => {
    sim = await createSimulator({ speed: 0 })
    const cluster = createApiDriver({
      transport: createInProcessTransport(sim),
      description: 'sim',
      taskPollMs: 5,
    })
    templates = createTemplateService({
      cluster,
      vmidStart: 9000,
      vmidEnd: 9099,
      storageQueue: createWorkQueue(2),
    })
  })
  afterEach(async () => {
    await sim.close()
  })

  it('run at once (Proxmox locks a stopped template shared), up to the storage queue limit', async () => {
    const signal = new AbortController().signal
    const events: string[] = []
    const first = latch()
    const second = latch()
    const secondStarted = latch()
    const queued: number[] = []
    const clone = (vmid: number, gate: Promise<void>, started?: () => void): Promise<void> =>
      templates.cloneTurn(
        template(),
        vmid,
        { signal, onQueued: (position) => queued.push(position) },
        async () => {
          events.push(`start ${vmid}`)
          started?.()
          await gate
          events.push(`end ${vmid}`)
        },
      )
    const a = clone(104, first.promise)
    const b = clone(105, second.promise, secondStarted.open)
    // the second clone starts while the first still runs (a queue per template would wait here)
    await secondStarted.promise
    expect(events).toEqual(['start 104', 'start 105'])
    // a third is over the storage's limit of two: it waits for a turn and is told so
    const c = clone(106, Promise.resolve())
    expect(queued).toEqual([1])
    first.open()
    await a
    await c
    second.open()
    await b
    expect(events).toEqual(['start 104', 'start 105', 'end 104', 'start 106', 'end 106', 'end 105'])
  })
})

describe('the clone step of an install', () => {
  let t: TestApp
  afterEach(async () => {
    await t.close()
  })

  it('gets its own settings and the requested disk size, the disk grown once', async () => {
    t = await buildTestApp({ env: { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto' } })
    const body = { os: 'debian', version: '12', passwd: 'pw' }
    await readSse(`${t.url}/api/vm/install`, { body })
    const second = await readSse(`${t.url}/api/vm/install`, {
      body: { ...body, disk: 24, cpu: 3, name: 'sized' },
    })
    expect(second.steps.at(-1)?.status).toBe('success')
    const config = await t.cluster.vmConfig('pve1', 104)
    expect(config).toMatchObject({ name: 'sized', cores: '3' })
    expect(config.scsi0).toMatch(/size=24G/)
    const resized = second.steps.filter((step) => step.message.includes('successfully resized'))
    expect(resized).toHaveLength(1)
    expect(resized[0]?.step).toBe('VM creation > importing disk image')
  })

  it('is retried with backoff, and the install is still a linked clone', async () => {
    t = await buildTestApp({ env: { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto' } })
    const body = { os: 'debian', version: '12', passwd: 'pw' }
    const first = await readSse(`${t.url}/api/vm/install`, { body })
    expect(first.steps.at(-1)?.status).toBe('success')
    // the storage's allocation lock was busy for longer than its 10 s wait (pve.md §10.10)
    t.sim.faults.inject({
      operation: 'clone',
      message:
        "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout",
    })
    const second = await readSse(`${t.url}/api/vm/install`, { body })
    expect(second.steps.filter((step) => step.status === 'error')).toEqual([])
    const cloning = second.steps
      .filter((step) => step.step === 'VM creation > importing disk image')
      .map((step) => step.message)
      .join('\n')
    expect(cloning).toMatch(/got timeout; retry 1 in \d+\.\ds/)
    expect(cloning).toContain('is a linked clone of template 9000')
    expect(second.steps.at(-1)?.status).toBe('success')
  })
})
