import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'

const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-address-table-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const hold = (address: string, owner: string, vmid?: number) => ({
  network: 'lan',
  address,
  family: 4 as const,
  owner,
  vmid,
})

describe('the network address table (migration 005)', () => {
  it('refuses a second hold of one address of one network, whoever asks', () => {
    const store = openStore({ path: ':memory:' })
    expect(store.addresses.hold(hold('10.0.0.5', 'job-a', 1000))).toBe(true)
    expect(store.addresses.hold(hold('10.0.0.5', 'job-b', 1001))).toBe(false)
    expect(store.addresses.hold({ ...hold('10.0.0.5', 'job-b', 1001), network: 'dmz' })).toBe(true)
    expect(store.addresses.rows()).toHaveLength(2)
    store.close()
  })

  it('keeps assignments in the file, frees holds and VMs on request', () => {
    const path = join(dir, 'addresses.db')
    const first = openStore({ path })
    first.addresses.hold(hold('10.0.0.5', 'job-a'))
    first.addresses.hold(hold('10.0.0.6', 'job-b'))
    expect(first.addresses.assign('job-a', 1000)).toBe(1)
    first.close()

    const second = openStore({ path })
    expect(second.addresses.rows()).toEqual([
      {
        network: 'lan',
        address: '10.0.0.5',
        family: 4,
        state: 'assigned',
        owner: 'job-a',
        vmid: 1000,
      },
      {
        network: 'lan',
        address: '10.0.0.6',
        family: 4,
        state: 'held',
        owner: 'job-b',
        vmid: undefined,
      },
    ])
    // a rollback of the finished job frees nothing it handed to its VM
    expect(second.addresses.releaseOwner('job-a')).toBe(0)
    expect(second.addresses.releaseAllHolds()).toBe(1)
    expect(second.addresses.releaseVm(1000)).toBe(1)
    expect(second.addresses.rows()).toEqual([])
    second.close()
  })

  it('fails a hold with the store’s own error when the disk refuses writes', () => {
    const store = openStore({ path: ':memory:' })
    store.refuseWrites(true)
    expect(() => store.addresses.hold(hold('10.0.0.5', 'job-a'))).toThrow(
      expect.objectContaining({ code: 'STORE_WRITE_FAILED' }),
    )
    store.refuseWrites(false)
    expect(store.addresses.hold(hold('10.0.0.5', 'job-a'))).toBe(true)
    store.close()
  })
})
