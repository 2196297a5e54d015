import { describe, expect, it } from 'vitest'
import { learnGuestAddresses } from '../../src/provision/learn-guest-addresses.js'
import type { GuestInterface } from '../../src/pve/cluster.js'
import { PveError } from '../../src/pve/errors.js'

const vm = { node: 'pve1', vmid: 1000 }
const lease: GuestInterface[] = [
  { name: 'eth0', addresses: [{ address: '127.0.2.10', family: 'ipv4', prefix: 24 }] },
]

describe('learning a DHCP address from the guest agent', () => {
  it('asks again while the agent is not running, and answers once it reports the lease', async () => {
    let asked = 0
    const cluster = {
      guestInterfaces: async (): Promise<GuestInterface[]> => {
        asked += 1
        if (asked < 3) throw new PveError('agent_unavailable', 'QEMU guest agent is not running')
        return lease
      },
    }
    const reasons: string[] = []
    const found = await learnGuestAddresses(cluster, vm, {
      need: { ipv4: true, ipv6: false },
      timeoutMs: 20_000,
      signal: new AbortController().signal,
      onAttempt: (_attempt, reason) => reasons.push(reason),
    })
    expect(found).toEqual([{ address: '127.0.2.10', family: 'ipv4' }])
    expect(asked).toBe(3)
    expect(reasons).toEqual(['QEMU guest agent is not running', 'QEMU guest agent is not running'])
  })

  it('fails at once for a VM without a guest agent configured', async () => {
    const cluster = {
      guestInterfaces: async (): Promise<GuestInterface[]> => {
        throw new PveError('agent_unavailable', 'No QEMU guest agent configured')
      },
    }
    await expect(
      learnGuestAddresses(cluster, vm, {
        need: { ipv4: true, ipv6: false },
        timeoutMs: 600_000,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'GUEST_ADDRESS_UNKNOWN' })
  })

  it('gives up after the timeout, saying what the agent last answered', async () => {
    const cluster = { guestInterfaces: async (): Promise<GuestInterface[]> => [] }
    await expect(
      learnGuestAddresses(cluster, vm, {
        need: { ipv4: true, ipv6: false },
        timeoutMs: 300,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/reported no IPv4 address within 0s .*the agent reports no address yet/)
  })
})
