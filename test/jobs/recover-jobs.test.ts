import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.js'
import { recoverInterruptedJobs } from '../../src/jobs/index.js'
import { ownershipStamp } from '../../src/provision/own-vm.js'
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

/** A VM someone made; `stampedBy` makes it one an install job made (its description stamp). */
async function createVm(vmid: number, stampedBy?: string): Promise<void> {
  await started.cluster.createVm('pve1', vmid, {
    name: `vm-${vmid}`,
    memory: '512',
    ...(stampedBy === undefined ? {} : { description: ownershipStamp(stampedBy) }),
  })
}

async function vmids(): Promise<number[]> {
  return (await started.cluster.resources()).vms.map((vm) => vm.vmid).sort()
}

describe('recoverInterruptedJobs', () => {
  it('marks what was running interrupted and removes the VMs interrupted installs made', async () => {
    await createVm(150, 'made-a-vm')
    await started.cluster.startVm('pve1', 150)
    job('made-a-vm', { vmid: 150 })
    store.creations.started('made-a-vm', 150, 'pve1')
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

  it('never touches a foreign VM created under the reserved id after a kill before create', async () => {
    job('killed-before-create', { vmid: 150 })
    store.reservations.reserve(150, 'killed-before-create')
    // the GUI proposes the lowest free id: another admin's VM, younger than the job
    await createVm(150)
    const recovered = await recoverInterruptedJobs({ store, cluster: started.cluster, log })
    expect(recovered.map((entry) => entry.outcome)).toEqual([
      'VM 150 had not been created; reservation released',
    ])
    expect(await vmids()).toEqual([100, 101, 102, 150])
    expect(store.reservations.reserved().size).toBe(0)
  })

  it("leaves a VM without this job's stamp alone even when the job had started a create", async () => {
    await createVm(150)
    await createVm(151, 'another-job')
    await createVm(152, 'protected')
    job('raced', { vmid: 150 })
    job('stamp-of-another', { vmid: 151 })
    job('protected', { vmid: 152 })
    store.creations.started('raced', 150, 'pve1')
    store.creations.started('stamp-of-another', 151, 'pve1')
    store.creations.started('protected', 152, 'pve1')
    const recovered = await recoverInterruptedJobs({
      store,
      cluster: started.cluster,
      log,
      isProtected: (vmid) => vmid === 152,
    })
    expect(Object.fromEntries(recovered.map((entry) => [entry.job.id, entry.outcome]))).toEqual({
      raced: "VM 150 exists but does not carry this job's stamp; it was left alone",
      'stamp-of-another': "VM 151 exists but does not carry this job's stamp; it was left alone",
      protected: 'VM 152 is protected and was left alone',
    })
    expect(await vmids()).toEqual([100, 101, 102, 150, 151, 152])
  })

  it('finds its stamped VM on the node the install had moved it to', async () => {
    await createVm(153, 'moved')
    await started.cluster.migrateVm('pve1', 153, 'pve2', { online: false, withLocalDisks: true })
    job('moved', { vmid: 153 })
    store.creations.started('moved', 153, 'pve1')
    const recovered = await recoverInterruptedJobs({ store, cluster: started.cluster, log })
    expect(recovered.map((entry) => entry.outcome)).toEqual([
      'cleaned up: VM 153 and its disks removed, reservation released',
    ])
    expect(await vmids()).toEqual([100, 101, 102])
  })
})
