import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { asList, buildSim, call, get, runTask } from '../helpers.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

async function createVm(s: Simulator, node: string, vmid: number, net0: string): Promise<void> {
  const task = await runTask(s, 'POST', `/nodes/${node}/qemu`, { vmid, net0, memory: 1024 })
  expect(task.exitstatus).toBe('OK')
}

describe('per-node bridges (GET /nodes/{node}/network)', () => {
  it('lists vmbr0 (VLAN-aware, the node address) and vmbr1 (not VLAN-aware) on every node', async () => {
    sim = await buildSim()
    for (const node of ['pve1', 'pve2', 'pve3']) {
      const bridges = asList(await get(sim, `/nodes/${node}/network`, { type: 'any_bridge' }))
      expect(bridges.map((b) => b.iface)).toEqual(['vmbr0', 'vmbr1'])
      expect(bridges[0]).toMatchObject({
        type: 'bridge',
        active: 1,
        autostart: 1,
        bridge_ports: 'eno1',
        bridge_vlan_aware: 1,
        method: 'static',
        families: ['inet'],
      })
      // the interfaces file carries bridge_vlan_aware only when it is set
      expect(bridges[1]).toMatchObject({ type: 'bridge', bridge_ports: 'eno2', method: 'manual' })
      expect(bridges[1]).not.toHaveProperty('bridge_vlan_aware')
    }
    const vmbr0 = asList(await get(sim, '/nodes/pve2/network', { type: 'bridge' }))[0]
    expect(vmbr0).toMatchObject({
      cidr: '127.0.1.2/24',
      address: '127.0.1.2',
      gateway: '127.0.0.1',
    })
  })

  it('filters by type, lists the physical ports without a filter, and refuses an unknown type', async () => {
    sim = await buildSim()
    const all = asList(await get(sim, '/nodes/pve1/network'))
    expect(all.map((i) => i.iface)).toEqual(['eno1', 'eno2', 'vmbr0', 'vmbr1'])
    const eth = asList(await get(sim, '/nodes/pve1/network', { type: 'eth' }))
    expect(eth.map((i) => `${String(i.iface)}:${String(i.type)}`)).toEqual(['eno1:eth', 'eno2:eth'])
    expect(await get(sim, '/nodes/pve1/network', { type: 'OVSBridge' })).toEqual([])
    const bad = await call(sim, 'GET', '/nodes/pve1/network', { type: 'bridges' })
    expect(bad.status).toBe(400)
    expect(bad.errors?.type).toMatch(
      /^value 'bridges' does not have a value in the enumeration 'bridge, bond, eth/,
    )
    const unknown = await call(sim, 'GET', '/nodes/pve9/network')
    expect(unknown.status).not.toBe(200)
  })

  it('gives a node other bridges through the bridges option (pve3 without vmbr1, an OVS bridge)', async () => {
    sim = await buildSim({
      bridges: {
        pve3: [
          { iface: 'vmbr0', vlanAware: true, ports: ['eno1'] },
          { iface: 'vmbr7', type: 'OVSBridge', ports: ['eno3'], mtu: 9000 },
        ],
      },
    })
    const pve3 = asList(await get(sim, '/nodes/pve3/network', { type: 'any_bridge' }))
    expect(pve3.map((b) => b.iface)).toEqual(['vmbr0', 'vmbr7'])
    expect(pve3[1]).toMatchObject({ type: 'OVSBridge', ovs_ports: 'eno3', mtu: '9000' })
    expect(asList(await get(sim, '/nodes/pve1/network', { type: 'any_bridge' })).length).toBe(2)
    expect(sim.network.bridges('pve3').map((b) => b.iface)).toEqual(['vmbr0', 'vmbr7'])
  })

  it('refuses bad bridge options, naming them', async () => {
    await expect(buildSim({ bridges: { pve9: [] } })).rejects.toThrow(
      /'pve9', which is no simulator node/,
    )
    await expect(
      buildSim({ bridges: { pve1: [{ iface: 'vmbr0' }, { iface: 'vmbr0' }] } }),
    ).rejects.toThrow(/bridge 'vmbr0' is given twice for pve1/)
    sim = await buildSim()
    expect(() => sim?.network.setBridges('pve1', [{ iface: 'bad name' }])).toThrow(
      /not a valid interface name/,
    )
  })

  it('hides the bridges from a token without SDN.Audit, as PVE 9 does (no error)', async () => {
    sim = await buildSim()
    const caller = {
      user: 'u@pve!t',
      via: 'rest-json' as const,
      privileges: new Set(['Sys.Audit']),
    }
    const response = await call(sim, 'GET', '/nodes/pve1/network', { type: 'any_bridge' }, caller)
    expect(response).toMatchObject({ status: 200, data: [] })
    const auditor = { ...caller, privileges: new Set(['SDN.Audit']) }
    const seen = await call(sim, 'GET', '/nodes/pve1/network', { type: 'any_bridge' }, auditor)
    expect(asList(seen.data).length).toBe(2)
  })
})

describe('qm start and a missing bridge', () => {
  it("fails the start task with `bridge 'X' does not exist` and leaves the VM stopped", async () => {
    sim = await buildSim()
    sim.network.setBridges('pve1', [{ iface: 'vmbr0', vlanAware: true }])
    await createVm(sim, 'pve1', 300, 'virtio,bridge=vmbr1')
    const started = await runTask(sim, 'POST', '/nodes/pve1/qemu/300/status/start')
    expect(started.exitstatus).toBe("bridge 'vmbr1' does not exist")
    expect(sim.snapshot().vms.find((vm) => vm.vmid === 300)?.status).toBe('stopped')
    // once the node has the bridge, the same VM starts
    sim.network.setBridges('pve1', [{ iface: 'vmbr0' }, { iface: 'vmbr1' }])
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu/300/status/start')).exitstatus).toBe('OK')
  })

  it('treats a bridge that is not up as missing, and checks a virtio NIC mtu against the bridge', async () => {
    sim = await buildSim()
    sim.network.setBridges('pve1', [{ iface: 'vmbr0' }, { iface: 'vmbr1', active: false }])
    await createVm(sim, 'pve1', 301, 'virtio,bridge=vmbr1')
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu/301/status/start')).exitstatus).toBe(
      "bridge 'vmbr1' does not exist",
    )
    await createVm(sim, 'pve1', 302, 'virtio,bridge=vmbr0,mtu=9000')
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu/302/status/start')).exitstatus).toBe(
      "netdev net0: MTU '9000' is bigger than the bridge MTU '1500'",
    )
  })

  it('refuses a VLAN tag outside 1..4094 in net0', async () => {
    sim = await buildSim()
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 303,
      net0: 'virtio,bridge=vmbr0,tag=4095',
    })
    expect(response.status).toBe(400)
    expect(response.errors?.['net0.tag']).toBe('value must have a maximum value of 4094')
  })

  it('migrates a stopped VM to a node without its bridge, where it then fails to start', async () => {
    sim = await buildSim({ bridges: { pve3: [{ iface: 'vmbr0', vlanAware: true }] } })
    await createVm(sim, 'pve1', 304, 'virtio,bridge=vmbr1')
    const migrated = await runTask(sim, 'POST', '/nodes/pve1/qemu/304/migrate', { target: 'pve3' })
    expect(migrated.exitstatus).toBe('OK')
    const started = await runTask(sim, 'POST', '/nodes/pve3/qemu/304/status/start')
    expect(started.exitstatus).toBe("bridge 'vmbr1' does not exist")
  })

  it('aborts a live migration to a node without the bridge, the VM still running on the source', async () => {
    sim = await buildSim({ bridges: { pve3: [{ iface: 'vmbr0', vlanAware: true }] } })
    await createVm(sim, 'pve1', 305, 'virtio,bridge=vmbr1')
    expect((await runTask(sim, 'POST', '/nodes/pve1/qemu/305/status/start')).exitstatus).toBe('OK')
    const migrated = await runTask(sim, 'POST', '/nodes/pve1/qemu/305/migrate', {
      target: 'pve3',
      online: 1,
    })
    expect(migrated.exitstatus).toBe('migration aborted')
    expect(migrated.lines.some((l) => l.includes("bridge 'vmbr1' does not exist"))).toBe(true)
    expect(sim.snapshot().vms.find((vm) => vm.vmid === 305)).toMatchObject({
      node: 'pve1',
      status: 'running',
    })
  })
})

describe('ipconfigN values (pve-common JSONSchema formats)', () => {
  it('takes CIDRs, dhcp, auto and manual, and refuses anything else per key', async () => {
    sim = await buildSim()
    const accepted = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 310,
      ipconfig0: 'ip=127.0.4.9/22,gw=127.0.4.1,ip6=2001:db8::9/64,gw6=2001:db8::1',
      ipconfig1: 'ip=dhcp,ip6=auto',
      ipconfig2: 'ip=manual,ip6=dhcp',
    })
    expect(accepted.status).toBe(200)
    const refused = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: 311,
      ipconfig0: 'ip=127.0.4.9,gw=127.0.4.300,ip6=slaac,gw6=127.0.0.1',
    })
    expect(refused.status).toBe(400)
    expect(refused.errors).toMatchObject({
      'ipconfig0.ip':
        'invalid format - value does not look like a valid ipv4 network configuration\n',
      'ipconfig0.gw': 'invalid format - value does not look like a valid IPv4 address\n',
      'ipconfig0.ip6':
        'invalid format - value does not look like a valid ipv6 network configuration\n',
      'ipconfig0.gw6': 'invalid format - value does not look like a valid IPv6 address\n',
    })
  })
})
