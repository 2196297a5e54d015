import { describe, expect, it } from 'vitest'
import type { VmNetwork } from '../../../src/networks/index.js'
import { configuredAddresses } from '../../../src/pve/ipconfig.js'
import { bridgesOf } from '../../../src/provision/lifecycle/migrate.js'
import { networkOfConfig } from '../../../src/provision/lifecycle/network-of-config.js'
import { readVmAddresses } from '../../../src/provision/lifecycle/vm-addresses.js'
import { PveError } from '../../../src/pve/errors.js'

describe('the addresses of a VM config', () => {
  it('reads every ipconfigN, IPv4 first, and notes DHCP/SLAAC', () => {
    const found = configuredAddresses({
      ipconfig1: 'ip=192.0.2.9/24',
      ipconfig0: 'ip6=2001:db8::5/64,ip=10.0.0.5/22,gw=10.0.0.1',
      ipconfig2: 'ip=dhcp',
    })
    expect(found.static.map((entry) => entry.address)).toEqual([
      '10.0.0.5',
      '192.0.2.9',
      '2001:db8::5',
    ])
    expect(found.dynamic).toBe(true)
    expect(configuredAddresses({ ipconfig0: 'ip=10.0.0.5/24,ip6=auto' }).dynamic).toBe(true)
    expect(configuredAddresses({ ipconfig0: 'ip=10.0.0.5/24' }).dynamic).toBe(false)
  })

  it('asks the guest agent of a running DHCP VM, leaving out lo and link-local', async () => {
    const cluster = { vmConfig: async () => ({ ipconfig0: 'ip=dhcp,ip6=auto' }) }
    const agent = async () => [
      { name: 'lo', addresses: [{ address: '127.0.0.1', family: 'ipv4' as const, prefix: 8 }] },
      {
        name: 'eth0',
        addresses: [
          { address: 'fe80::1', family: 'ipv6' as const, prefix: 64 },
          { address: '2001:db8::7', family: 'ipv6' as const, prefix: 64 },
          { address: '127.0.2.10', family: 'ipv4' as const, prefix: 24 },
        ],
      },
    ]
    const running = await readVmAddresses(
      cluster,
      { node: 'pve1', vmid: 1000, running: true },
      { agent },
    )
    expect(running.view).toEqual({ ip: '127.0.2.10', addresses: ['127.0.2.10', '2001:db8::7'] })
    expect(running.complete).toBe(true)
    const late = await readVmAddresses(
      cluster,
      { node: 'pve1', vmid: 1000, running: true },
      {
        agent: async () => {
          throw new PveError('agent_unavailable', 'QEMU guest agent is not running')
        },
      },
    )
    expect(late.view).toEqual({ addresses: [] })
    expect(late.complete).toBe(false)
  })
})

describe('the network of a VM config', () => {
  const networks: VmNetwork[] = [
    {
      name: 'default',
      bridge: 'vmbr0',
      firewall: false,
      ipv4: { mode: 'seed', gateway: '10.0.0.1', ipStart: 100, ipEnd: 254 },
    },
    {
      name: 'lan',
      bridge: 'vmbr0',
      vlan: 10,
      firewall: false,
      ipv4: {
        mode: 'static',
        cidr: '10.20.0.0/22',
        prefixLength: 22,
        gateway: '10.20.0.1',
        dns: [],
      },
    },
    { name: 'office', bridge: 'vmbr1', firewall: false, ipv4: { mode: 'dhcp' } },
  ]
  it('matches bridge, VLAN tag and addressing', () => {
    const of = (net0: string, ipconfig0: string) => networkOfConfig({ net0, ipconfig0 }, networks)
    expect(of('virtio=AA:BB:CC:DD:EE:FF,bridge=vmbr0', 'ip=10.0.0.105/24,gw=10.0.0.1')).toBe(
      'default',
    )
    expect(of('virtio,bridge=vmbr0,tag=10', 'ip=10.20.3.7/22,gw=10.20.0.1')).toBe('lan')
    expect(of('virtio,bridge=vmbr0', 'ip=10.20.3.7/22,gw=10.20.0.1')).toBeUndefined()
    expect(of('virtio,bridge=vmbr1', 'ip=dhcp')).toBe('office')
  })

  it('lists the bridges of every NIC, for the migration check', () => {
    expect(
      bridgesOf({ net0: 'virtio,bridge=vmbr0,tag=5', net1: 'e1000,bridge=vmbr1', name: 'x' }),
    ).toEqual(['vmbr0', 'vmbr1'])
  })
})
