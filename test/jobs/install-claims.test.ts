import { describe, expect, it } from 'vitest'
import { createInstallClaims, createJobRunner, nameJobHolders } from '../../src/jobs/index.js'
import { createMemoryReservations } from '../../src/provision/install/reservations.js'
import { createVmLocks } from '../../src/provision/vm-locks.js'

describe('install claims', () => {
  it('own the reserved VMID by job, hold its lock, report it, and free everything at the end', () => {
    const reservations = createMemoryReservations()
    const locks = createVmLocks()
    const claims = createInstallClaims({ reservations, locks, isProtected: (vmid) => vmid === 104 })
    expect(() => claims.reservations.reserve(103, 'pipeline-id')).toThrow(
      /before their job started/,
    )
    const chosen: number[] = []
    claims.bind('job-1', (vmid) => chosen.push(vmid))

    expect(claims.reservations.reserve(104, 'pipeline-id')).toBe(false)
    expect(claims.reservations.reserve(103, 'pipeline-id')).toBe(true)
    expect(reservations.reserved().get(103)).toBe('job-1')
    expect(locks.holderOf(103)).toBe('install')
    expect(chosen).toEqual([103])

    const busy = locks.acquire(105, 'destroy')
    expect(claims.reservations.reserve(105, 'pipeline-id')).toBe(false)
    expect(reservations.reserved().has(105)).toBe(false)
    busy()

    claims.releaseAll()
    expect(reservations.reserved().size).toBe(0)
    expect(locks.holderOf(103)).toBeUndefined()
  })
})

describe('per-VM locks naming jobs', () => {
  it('name the job active on the VM when refusing', async () => {
    const jobs = createJobRunner()
    const locks = nameJobHolders(createVmLocks(), jobs)
    let finish = (): void => undefined
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const job = jobs.start({ type: 'migrate', vmid: 100 }, () => finished)
    const release = locks.acquire(100, 'migration')
    expect(() => locks.acquire(100, 'destroy')).toThrow(
      `VM 100 is busy: migration (job ${job.id}) is in progress`,
    )
    const plain = locks.acquire(101, 'destroy')
    expect(() => locks.acquire(101, 'stop')).toThrow('VM 101 is busy: destroy is in progress')
    plain()
    release()
    finish()
    await jobs.settled(job.id)
  })
})
