import { afterEach, describe, expect, it } from 'vitest'
import { createSimulatedPing } from '../../../src/sim/index.js'
import type { Simulator, SimulatorOptions } from '../../../src/sim/index.js'
import { asList, asRecord, buildSim, call, runTask } from '../helpers.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const base = (vmid: number) => `/nodes/pve1/qemu/${vmid}`

async function vm(
  s: Simulator,
  vmid: number,
  config: Record<string, string>,
  start = true,
): Promise<void> {
  const created = await runTask(s, 'POST', '/nodes/pve1/qemu', { vmid, memory: 1024, ...config })
  expect(created.exitstatus).toBe('OK')
  if (start) expect((await runTask(s, 'POST', `${base(vmid)}/status/start`)).exitstatus).toBe('OK')
}

/** The agent's interfaces, or the error message it answered. */
async function interfaces(s: Simulator, vmid: number): Promise<Record<string, unknown>[]> {
  const response = await call(s, 'GET', `${base(vmid)}/agent/network-get-interfaces`)
  if (response.status !== 200) throw new Error(response.message)
  return asList(asRecord(response.data).result)
}

function addressesOf(list: Record<string, unknown>[], name: string): string[] {
  const nic = list.find((i) => i.name === name)
  return asList(nic?.['ip-addresses']).map(
    (a) => `${String(a['ip-address'])}/${String(a.prefix)} ${String(a['ip-address-type'])}`,
  )
}

/** A simulator whose guests take ages to boot: the agent is down after a start. */
const slowBoot: Partial<SimulatorOptions> = { speed: 0.001, guestBootMs: 1e9 }

describe('the guest agent (agent/ping, agent/network-get-interfaces)', () => {
  it('answers ping with an empty result and lists lo and eth0 with the static address', async () => {
    sim = await buildSim()
    await vm(sim, 300, {
      agent: '1',
      net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
      ipconfig0: 'ip=127.0.0.77/24,gw=127.0.0.1',
    })
    const ping = await call(sim, 'POST', `${base(300)}/agent/ping`)
    expect(ping).toMatchObject({ status: 200, data: { result: {} } })
    const list = await interfaces(sim, 300)
    expect(list.map((i) => i.name)).toEqual(['lo', 'eth0'])
    expect(list[1]).toMatchObject({ 'hardware-address': 'bc:24:11:00:00:01' })
    expect(addressesOf(list, 'eth0')).toEqual([
      '127.0.0.77/24 ipv4',
      'fe80::be24:11ff:fe00:1/64 ipv6',
    ])
    expect(addressesOf(list, 'lo')).toEqual(['127.0.0.1/8 ipv4', '::1/128 ipv6'])
  })

  it('refuses in the order Proxmox checks, with its words', async () => {
    sim = await buildSim(slowBoot)
    await vm(sim, 301, { net0: 'virtio,bridge=vmbr0' })
    await expect(interfaces(sim, 301)).rejects.toThrow(/^No QEMU guest agent configured$/)
    await vm(sim, 302, { agent: 'enabled=0', net0: 'virtio,bridge=vmbr0' })
    await expect(interfaces(sim, 302)).rejects.toThrow(/^No QEMU guest agent configured$/)
    await vm(sim, 303, { agent: '1', net0: 'virtio,bridge=vmbr0' }, false)
    await expect(interfaces(sim, 303)).rejects.toThrow(/^VM 303 is not running$/)
    // running, but the guest has not booted yet
    expect((await runTask(sim, 'POST', `${base(303)}/status/start`)).exitstatus).toBe('OK')
    await expect(interfaces(sim, 303)).rejects.toThrow(/^QEMU guest agent is not running$/)
    const ping = await call(sim, 'POST', `${base(303)}/agent/ping`)
    expect(ping).toMatchObject({ status: 500, message: 'QEMU guest agent is not running' })
    const elsewhere = await call(sim, 'GET', '/nodes/pve2/qemu/303/agent/network-get-interfaces')
    expect(elsewhere.message).toBe(
      "Configuration file 'nodes/pve2/qemu-server/303.conf' does not exist",
    )
  })

  it('answers once the guest has booted, not while a test holds the agent, and can time out', async () => {
    sim = await buildSim()
    const release = sim.network.holdAgent(304)
    await vm(sim, 304, { agent: '1', net0: 'virtio,bridge=vmbr0', ipconfig0: 'ip=dhcp' })
    await expect(interfaces(sim, 304)).rejects.toThrow(/^QEMU guest agent is not running$/)
    release()
    expect((await interfaces(sim, 304)).length).toBe(2)
    sim.network.agentTimeout(304)
    await expect(interfaces(sim, 304)).rejects.toThrow(
      "VM 304 qga command 'guest-network-get-interfaces' failed - got timeout",
    )
    expect((await interfaces(sim, 304)).length).toBe(2)
  })

  it('refuses an agent command outside the list', async () => {
    sim = await buildSim()
    const response = await call(sim, 'POST', `${base(100)}/agent`, { command: 'exec-all' })
    expect(response.status).toBe(400)
    expect(response.errors?.command).toMatch(
      /^value 'exec-all' does not have a value in the enumeration 'fsfreeze-freeze/,
    )
  })

  it('needs VM.GuestAgent.Audit from a token', async () => {
    sim = await buildSim()
    const caller = { user: 'u@pve!t', via: 'rest-json' as const, privileges: new Set(['VM.Audit']) }
    const response = await call(sim, 'POST', `${base(100)}/agent/ping`, {}, caller)
    expect(response).toMatchObject({
      status: 403,
      message: 'Permission check failed (/vms/100, VM.GuestAgent.Audit)',
    })
  })
})

describe('simulated DHCP (ipconfig0: ip=dhcp)', () => {
  it('leases a loopback address from 127.0.2.10-250, stable per MAC across restarts', async () => {
    sim = await buildSim()
    await vm(sim, 310, {
      agent: '1',
      net0: 'virtio=BC:24:11:00:00:10,bridge=vmbr0',
      ipconfig0: 'ip=dhcp',
    })
    await vm(sim, 311, {
      agent: '1',
      net0: 'virtio=BC:24:11:00:00:11,bridge=vmbr1,tag=7',
      ipconfig0: 'ip=dhcp',
    })
    const first = addressesOf(await interfaces(sim, 310), 'eth0')[0] ?? ''
    const second = addressesOf(await interfaces(sim, 311), 'eth0')[0] ?? ''
    expect(first).toMatch(/^127\.0\.2\.\d+\/24 ipv4$/)
    const octet = Number(/^127\.0\.2\.(\d+)/.exec(first)?.[1])
    expect(octet).toBeGreaterThanOrEqual(10)
    expect(octet).toBeLessThanOrEqual(250)
    expect(second).not.toBe(first)
    expect(sim.network.leases()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ mac: 'bc:24:11:00:00:11', bridge: 'vmbr1', vlan: 7, vmid: 311 }),
      ]),
    )
    expect((await runTask(sim, 'POST', `${base(310)}/status/stop`)).exitstatus).toBe('OK')
    expect((await runTask(sim, 'POST', `${base(310)}/status/start`)).exitstatus).toBe('OK')
    expect(addressesOf(await interfaces(sim, 310), 'eth0')[0]).toBe(first)
  })

  it('takes its range from the dhcpRange option, loopback only, and reuses a lease nobody holds when full', async () => {
    await expect(buildSim({ dhcpRange: { start: '10.0.0.10', end: '10.0.0.20' } })).rejects.toThrow(
      /must be loopback/,
    )
    sim = await buildSim({ dhcpRange: { start: '127.0.9.5', end: '127.0.9.5' } })
    await vm(sim, 312, {
      agent: '1',
      net0: 'virtio=BC:24:11:00:00:12,bridge=vmbr0',
      ipconfig0: 'ip=dhcp',
    })
    expect(addressesOf(await interfaces(sim, 312), 'eth0')[0]).toBe('127.0.9.5/24 ipv4')
    // the one address is held: a second guest gets none
    await vm(sim, 313, {
      agent: '1',
      net0: 'virtio=BC:24:11:00:00:13,bridge=vmbr0',
      ipconfig0: 'ip=dhcp',
    })
    expect(addressesOf(await interfaces(sim, 313), 'eth0')).toEqual([
      'fe80::be24:11ff:fe00:13/64 ipv6',
    ])
    // once the first VM is gone its lease is free again
    expect((await runTask(sim, 'POST', `${base(312)}/status/stop`)).exitstatus).toBe('OK')
    expect((await runTask(sim, 'DELETE', base(312), { purge: 1 })).exitstatus).toBe('OK')
    expect((await runTask(sim, 'POST', `${base(313)}/status/stop`)).exitstatus).toBe('OK')
    expect((await runTask(sim, 'POST', `${base(313)}/status/start`)).exitstatus).toBe('OK')
    expect(addressesOf(await interfaces(sim, 313), 'eth0')[0]).toBe('127.0.9.5/24 ipv4')
  })

  it('tells the guests (vm-started) the leased address', async () => {
    sim = await buildSim()
    const seen: unknown[] = []
    sim.on('vm-started', (event) => seen.push(event.addresses))
    await vm(sim, 314, {
      net0: 'virtio=BC:24:11:00:00:14,bridge=vmbr0',
      ipconfig0: 'ip=dhcp,ip6=::1/128',
    })
    const lease = sim.network.leases().find((l) => l.vmid === 314)?.address
    expect(lease).toMatch(/^127\.0\.2\./)
    expect(seen).toEqual([{ ipv4: lease, ipv6: ['::1'] }])
  })
})

describe('IPv6 (ipconfig0 ip6=)', () => {
  it('reports a static, a SLAAC (2001:db8::/64, EUI-64) and a DHCPv6 address', async () => {
    sim = await buildSim()
    const mac = (n: number) => `BC:24:11:00:01:0${n}`
    await vm(sim, 320, {
      agent: '1',
      net0: `virtio=${mac(0)},bridge=vmbr0`,
      ipconfig0: 'ip=127.0.0.120/24,ip6=2001:db8:0:7::20/64,gw6=2001:db8:0:7::1',
    })
    await vm(sim, 321, {
      agent: '1',
      net0: `virtio=${mac(1)},bridge=vmbr0`,
      ipconfig0: 'ip=dhcp,ip6=auto',
    })
    await vm(sim, 322, {
      agent: '1',
      net0: `virtio=${mac(2)},bridge=vmbr0`,
      ipconfig0: 'ip=dhcp,ip6=dhcp',
    })
    expect(addressesOf(await interfaces(sim, 320), 'eth0').slice(1)).toEqual([
      '2001:db8:0:7::20/64 ipv6',
      'fe80::be24:11ff:fe00:100/64 ipv6',
    ])
    expect(addressesOf(await interfaces(sim, 321), 'eth0')[1]).toBe(
      '2001:db8::be24:11ff:fe00:101/64 ipv6',
    )
    expect(addressesOf(await interfaces(sim, 322), 'eth0')[1]).toMatch(
      /^2001:db8::[0-9a-f]+\/128 ipv6$/,
    )
  })
})

describe('the simulated ping answer', () => {
  it('answers for nodes, the gateway, booted guests and registered foreign hosts only', async () => {
    sim = await buildSim(slowBoot)
    expect(sim.network.answersPing('127.0.1.2')).toBe(true)
    expect(sim.network.answersPing('127.0.0.1')).toBe(true)
    expect(sim.network.answersPing('127.0.0.99')).toBe(false)
    expect(sim.network.answersPing('not an address')).toBe(false)
    const undo = sim.network.addForeignHost('127.0.0.99')
    expect(sim.network.answersPing('127.0.0.99')).toBe(true)
    undo()
    expect(sim.network.answersPing('127.0.0.99')).toBe(false)
    expect(() => sim?.network.addForeignHost('nope')).toThrow(/no IP address/)
    // a guest that has not booted yet holds its address but answers nothing
    await vm(sim, 330, { net0: 'virtio,bridge=vmbr0', ipconfig0: 'ip=127.0.0.130/24' })
    expect(sim.network.answersPing('127.0.0.130')).toBe(false)
  })

  it('answers for the addresses of a booted guest, static and leased, v4 and v6', async () => {
    sim = await buildSim()
    await vm(sim, 331, {
      net0: 'virtio=BC:24:11:00:03:31,bridge=vmbr0',
      ipconfig0: 'ip=dhcp,ip6=auto',
    })
    const lease = sim.network.leases().find((l) => l.vmid === 331)?.address ?? ''
    expect(sim.network.answersPing(lease)).toBe(true)
    expect(sim.network.answersPing('2001:DB8::be24:11ff:fe00:331')).toBe(true)
    expect((await runTask(sim, 'POST', `${base(331)}/status/stop`)).exitstatus).toBe('OK')
    expect(sim.network.answersPing(lease)).toBe(false)
  })

  it('is exported as a probe function for the simulated service', async () => {
    sim = await buildSim()
    const probe = createSimulatedPing(sim)
    expect(await probe('127.0.1.1')).toBe(true)
    expect(await probe('127.0.0.201')).toBe(false)
    sim.network.addForeignHost('127.0.0.201')
    expect(await probe('127.0.0.201', new AbortController().signal)).toBe(true)
    const aborted = new AbortController()
    aborted.abort(new Error('job cancelled'))
    await expect(probe('127.0.0.201', aborted.signal)).rejects.toThrow('job cancelled')
  })
})
