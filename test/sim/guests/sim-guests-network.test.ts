import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { createMemoryHostKeyStore } from '../../../src/guest/host-keys.js'
import { waitForSsh } from '../../../src/guest/wait-for-ssh.js'
import { startSimGuests, type SimGuests } from '../../../src/sim/guests/index.js'
import type { Simulator } from '../../../src/sim/index.js'
import { freePort, generateKeyPair } from '../../guest/test-guest.js'
import { buildSim, runTask } from '../helpers.js'

const serviceKey = generateKeyPair()
const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined }

let sim: Simulator
let guests: SimGuests
let port: number

beforeEach(async () => {
  sim = await buildSim({ demoVms: false })
  port = await freePort()
  guests = startSimGuests({
    sim,
    port,
    hostFor: (vmid) => `127.0.0.${vmid}`,
    bootDelayMs: () => 10,
    log: quietLog,
  })
})
afterEach(async () => {
  await guests.close()
  await sim.close()
})

async function startVm(vmid: number, ipconfig0: string): Promise<void> {
  const created = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
    vmid,
    ciuser: 'debian',
    sshkeys: encodeURIComponent(`${serviceKey.publicKey}\n`),
    net0: 'virtio,bridge=vmbr0',
    ipconfig0,
  })
  expect(created.exitstatus).toBe('OK')
  expect((await runTask(sim, 'POST', `/nodes/pve1/qemu/${vmid}/status/start`)).exitstatus).toBe(
    'OK',
  )
}

const ssh = (host: string) => ({
  host,
  port,
  username: 'debian',
  privateKey: serviceKey.privateKey,
  hostKeys: createMemoryHostKeyStore(),
  timeoutMs: 10_000,
  pollMs: 20,
})

describe('simulated guests on the simulated network', () => {
  it('answer SSH on the DHCP lease of a VM with ip=dhcp', async () => {
    await startVm(140, 'ip=dhcp')
    const lease = sim.network.leases().find((l) => l.vmid === 140)?.address
    expect(lease).toMatch(/^127\.0\.2\.\d+$/)
    await waitForSsh(ssh(lease ?? ''))
    expect(guests.running()).toEqual([140])
  })

  it('answer SSH on a loopback IPv6 address (::1) as well as on the IPv4 one', async () => {
    await startVm(141, 'ip=127.0.0.141/24,ip6=::1/128')
    await waitForSsh(ssh('127.0.0.141'))
    await waitForSsh(ssh('::1'))
  })

  it('keep a 2001:db8:: address (SLAAC) a value only: SSH stays on IPv4', async () => {
    await startVm(142, 'ip=127.0.0.142/24,ip6=auto')
    await waitForSsh(ssh('127.0.0.142'))
    expect(guests.running()).toEqual([142])
  })

  it('listen on the lease of a DHCP VM that was already running when they started', async () => {
    await startVm(143, 'ip=dhcp')
    await guests.close()
    const running = sim.snapshot().vms.filter((vm) => vm.status === 'running')
    const lease = sim.network.leases().find((l) => l.vmid === 143)?.address ?? ''
    expect(running.map((vm) => vm.addresses)).toEqual([{ ipv4: lease, ipv6: [] }])
    guests = startSimGuests({
      sim,
      port,
      hostFor: (vmid) => `127.0.0.${vmid}`,
      bootDelayMs: () => 10,
      log: quietLog,
      alreadyRunning: running,
    })
    await waitForSsh(ssh(lease))
  })
})
