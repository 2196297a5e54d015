import { describe, expect, it } from 'vitest'
import type { VmNetwork } from '../../../src/networks/index.js'
import {
  checkBridges,
  ipconfig0Of,
  net0Of,
  requestedVmid,
} from '../../../src/provision/install/network-choice.js'
import type { NodeBridge } from '../../../src/pve/cluster.js'

const seed: VmNetwork = {
  name: 'default',
  bridge: 'vmbr0',
  firewall: false,
  ipv4: { mode: 'seed', gateway: '10.0.0.1', ipStart: 100, ipEnd: 254 },
}
const lan: VmNetwork = {
  name: 'lan',
  bridge: 'vmbr1',
  vlan: 30,
  mtu: 9000,
  firewall: true,
  ipv4: { mode: 'static', cidr: '10.20.0.0/22', prefixLength: 22, gateway: '10.20.0.1', dns: [] },
  ipv6: { mode: 'static', prefix: '2001:db8:20::', prefixLength: 64, gateway: '2001:db8:20::1' },
}
const dhcp: VmNetwork = {
  name: 'office',
  bridge: 'vmbr0',
  firewall: false,
  ipv4: { mode: 'dhcp' },
  ipv6: { mode: 'slaac' },
}

describe('the NIC and cloud-init addresses of a network', () => {
  it('keeps the seed network exactly as the original service wrote it', () => {
    expect(net0Of(seed)).toBe('virtio,bridge=vmbr0')
    expect(ipconfig0Of(seed, { ipv4: '10.0.0.105' })).toBe('ip=10.0.0.105/24,gw=10.0.0.1')
  })

  it('writes bridge, tag, mtu, firewall and both families of a static network', () => {
    expect(net0Of(lan)).toBe('virtio,bridge=vmbr1,tag=30,mtu=9000,firewall=1')
    expect(ipconfig0Of(lan, { ipv4: '10.20.1.7', ipv6: '2001:db8:20::107' })).toBe(
      'ip=10.20.1.7/22,gw=10.20.0.1,ip6=2001:db8:20::107/64,gw6=2001:db8:20::1',
    )
  })

  it('leaves a DHCP/SLAAC network to the guest', () => {
    expect(ipconfig0Of(dhcp, {})).toBe('ip=dhcp,ip6=auto')
  })
})

describe('the ip of a request', () => {
  it('on the seed network is the VMID address: it names the VMID, or must match it', () => {
    expect(requestedVmid(seed, { os: 'debian', version: '12', ip: '10.0.0.150' })).toBe(150)
    expect(() =>
      requestedVmid(seed, { os: 'debian', version: '12', id: 151, ip: '10.0.0.150' }),
    ).toThrow(/^ip: on network default the address follows the VMID: VM 151 gets 10\.0\.0\.151/)
    expect(() => requestedVmid(seed, { os: 'debian', version: '12', ip: '10.0.1.150' })).toThrow(
      /^ip: /,
    )
    expect(() => requestedVmid(seed, { os: 'debian', version: '12', ip: '10.0.0.99' })).toThrow(
      /^ip: /,
    )
  })

  it('is refused on a DHCP network and when it is no address', () => {
    expect(() => requestedVmid(dhcp, { os: 'debian', version: '12', ip: '10.9.0.5' })).toThrow(
      /^ip: network office takes its IPv4 address from DHCP/,
    )
    expect(() => requestedVmid(lan, { os: 'debian', version: '12', ip: '10.20.1' })).toThrow(
      /^ip: /,
    )
    expect(requestedVmid(lan, { os: 'debian', version: '12', ip: '10.20.1.7', id: 1234 })).toBe(
      1234,
    )
  })
})

describe('the bridge check before an install', () => {
  const bridges: Record<string, NodeBridge[]> = {
    pve1: [
      { iface: 'vmbr0', type: 'bridge', vlanAware: true, active: true },
      { iface: 'vmbr1', type: 'bridge', vlanAware: false, active: true },
    ],
    pve2: [{ iface: 'vmbr0', type: 'bridge', vlanAware: true, active: true }],
    pve3: [{ iface: 'vmbr1', type: 'bridge', vlanAware: true, active: false }],
  }
  const deps = (fromFile: boolean) => ({
    networks: { networks: [lan], vmidStart: 1000, vmidEnd: 8999, probe: 'off' as const, fromFile },
    cluster: { nodeBridges: async (node: string) => bridges[node] ?? [] },
  })

  it('refuses a VLAN on a bridge that is not VLAN-aware, naming network', async () => {
    await expect(checkBridges(deps(true), lan, ['pve1'])).rejects.toThrow(
      /^network: network lan: VLAN 30 needs a VLAN-aware bridge, and vmbr1 on pve1 is not VLAN-aware/,
    )
  })

  it('refuses a node without the bridge, and passes a VLAN-aware one', async () => {
    await expect(checkBridges(deps(true), lan, ['pve2'])).rejects.toThrow(
      /^network: network lan: node pve2 has no bridge vmbr1$/,
    )
    await expect(
      checkBridges(deps(true), { ...lan, bridge: 'vmbr0' }, ['pve1', 'pve2']),
    ).resolves.toBeUndefined()
  })

  it('refuses a bridge that is down (qm start would fail on it)', async () => {
    await expect(checkBridges(deps(true), lan, ['pve3'])).rejects.toThrow(
      /^network: network lan: bridge vmbr1 on pve3 is not active$/,
    )
  })

  it('leaves the implicit network alone, as the original service did', async () => {
    await expect(checkBridges(deps(false), lan, ['pve2'])).resolves.toBeUndefined()
  })
})
