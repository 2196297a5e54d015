import { describe, expect, it } from 'vitest'

import { createPendingTracker } from '../../../src/provision/lifecycle/index.js'
import type { VmSummary } from '../../../src/pve/cluster.js'

const vm = (vmid: number, uptime: number, status: VmSummary['status'] = 'running'): VmSummary => ({
  vmid,
  node: 'pve1',
  status,
  uptime,
})

describe('pending tracker (the list without a Proxmox read per VM)', () => {
  it('shows what a change left pending until the VM is cold-started elsewhere', () => {
    const tracker = createPendingTracker()
    const now = 1_000_000_000
    // the VM had been up 600 s when the change was made
    tracker.record(100, { cores: '4' }, now - 600_000)
    tracker.record(100, { memory: '4096' }, now - 600_000)
    // a minute later, pvestatd may lag: still the same boot
    expect(tracker.forList([vm(100, 655)], now + 60_000).get(100)).toEqual({
      cores: '4',
      memory: '4096',
    })
    // stopped: Proxmox keeps [PENDING] until the next start
    expect(tracker.forList([vm(100, 0, 'stopped')], now + 70_000).get(100)).toEqual({
      cores: '4',
      memory: '4096',
    })
    // started again (uptime 30 s, two minutes later): the values applied
    expect(tracker.forList([vm(100, 30)], now + 120_000).has(100)).toBe(false)
    expect(tracker.forList([vm(100, 31)], now + 121_000).has(100)).toBe(false)
  })

  it('forgets a VM that is no longer listed, and one the service restarted itself', () => {
    const tracker = createPendingTracker()
    tracker.record(100, { cores: '4' }, 0)
    tracker.record(101, { cores: '2' }, 0)
    tracker.forget(101)
    expect([...tracker.forList([vm(101, 5)], 1000).keys()]).toEqual([])
    expect(tracker.forList([vm(100, 1)], 1000).has(100)).toBe(false)
  })
})
