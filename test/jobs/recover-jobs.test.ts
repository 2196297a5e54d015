import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.js'
import { recoverInterruptedJobs } from '../../src/jobs/index.js'
import { startCluster, type StartedCluster } from '../../src/start-cluster.js'
import { openStore, type Store } from '../../src/store/index.js'

let dir: string
let started: StartedCluster
let store: Store
const log = pino({ level: 'silent' })

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pve-qemu-recover-'))
  started = await startCluster(parseConfig({ SIM_SPEED: '0', DATA_DIR: dir }))
  store = openStore({ path: ':memory:' })
})
afterEach(async () => {
  store.close()
  await started.close()
  rmSync(dir, { recursive: true, force: true })
})

const at = (offsetSeconds: number): string =>
  new Date(Date.now() + offsetSeconds * 1000).toISOString()

function job(
  id: string,
  fields: { type?: string; state?: string; vmid?: number; createdAt?: string },
): void {
  store.jobs.insert({
    id,
    type: fields.type ?? 'install',
    state: fields.state ?? 'running',
    createdAt: fields.createdAt ?? at(-30),
    ...(fields.vmid === undefined ? {} : { vmid: fields.vmid }),
  })
  store.events.append(id, {
    seq: 1,
    at: at(-30),
    step: 'VM creation > creating VM',
    status: 'processing',
    message: 'working',
  })
}

async function createVm(vmid: number): Promise<void> {
  await started.cluster.createVm('pve1', vmid, { name: `vm-${vmid}`, memory: '512' })
}

async function vmids(): Promise<number[]> {
  return (await started.cluster.resources()).vms.map((vm) => vm.vmid).sort()
}

describe('recoverInterruptedJobs', () => {
  it('marks what was running interrupted and removes the VMs interrupted installs made', async () => {
    await createVm(150)
    await started.cluster.startVm('pve1', 150)
    job('made-a-vm', { vmid: 150 })
    job('chose-a-vmid', { vmid: 151 })
    job('queued', { state: 'queued' })
    job('migration', { type: 'migrate', vmid: 100 })
    job('done', { state: 'succeeded', vmid: 101 })
    store.reservations.reserve(150, 'made-a-vm')
    store.reservations.reserve(151, 'chose-a-vmid')
    store.reservations.reserve(160, 'a-job-long-gone')

    const recovered = await recoverInterruptedJobs({ store, cluster: started.cluster, log })

    expect(Object.fromEntries(recovered.map((entry) => [entry.job.id, entry.outcome]))).toEqual({
      'made-a-vm': 'cleaned up: VM 150 and its disks removed, reservation released',
      'chose-a-vmid': 'VM 151 had not been created; reservation released',
      queued: 'no VMID had been chosen, nothing was created',
      migration: 'the VM was left as Proxmox has it',
    })
    expect(await vmids()).toEqual([100, 101, 102])
    expect(store.reservations.reserved().size).toBe(0)
    expect(store.jobs.get('made-a-vm')).toMatchObject({
      state: 'interrupted',
      error:
        'interrupted: the service stopped while this install ran; cleaned up: VM 150 and its disks removed, reservation released',
    })
    expect(store.events.after('made-a-vm', 1)).toEqual([
      expect.objectContaining({ seq: 2, step: 'VM creation > creating VM', status: 'error' }),
    ])
    expect(store.jobs.get('done')?.state).toBe('succeeded')
    expect(store.jobs.inStates(['running', 'queued'])).toEqual([])
    expect(await recoverInterruptedJobs({ store, cluster: started.cluster, log })).toEqual([])
  })

  it('leaves a VM alone that is older than the job or protected', async () => {
    await createVm(150)
    await createVm(152)
    job('later-job', { vmid: 150, createdAt: at(3600) })
    job('protected', { vmid: 152 })
    const recovered = await recoverInterruptedJobs({
      store,
      cluster: started.cluster,
      log,
      isProtected: (vmid) => vmid === 152,
    })
    expect(recovered.map((entry) => entry.outcome)).toEqual([
      'VM 152 is protected and was left alone',
      'VM 150 exists but was not created by this job; it was left alone',
    ])
    expect(await vmids()).toEqual([100, 101, 102, 150, 152])
  })
})
