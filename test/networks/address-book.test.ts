import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig, type NetworksConfig, type VmNetwork } from '../../src/config/index.js'
import {
  createStoreAddressBook,
  noProbe,
  PoolExhaustedError,
  type AddressBook,
  type AddressProbe,
} from '../../src/networks/index.js'
import { InvalidInputError } from '../../src/provision/errors.js'
import { startCluster, type StartedCluster } from '../../src/start-cluster.js'
import { openStore, type Store } from '../../src/store/index.js'

const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-addresses-'))
let started: StartedCluster
let store: Store

beforeAll(async () => {
  started = await startCluster(parseConfig({ SIM_SPEED: '0', DATA_DIR: join(dir, 'sim') }))
})
afterEach(() => store.close())
afterAll(async () => {
  await started.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The networks of a file with these entries (YAML flow mappings). */
function networksOf(...entries: string[]): NetworksConfig {
  const path = join(dir, `networks-${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(path, `networks:\n${entries.map((entry) => `  - ${entry}`).join('\n')}\n`)
  return parseConfig({ NETWORKS_FILE: path, DATA_DIR: join(dir, 'data') }).networks
}

function book(
  networks: NetworksConfig,
  probe: AddressProbe = noProbe,
  path = ':memory:',
): AddressBook {
  store = openStore({ path })
  return createStoreAddressBook({
    networks,
    table: store.addresses,
    cluster: started.cluster,
    probe,
    warn: () => undefined,
  })
}

function network(networks: NetworksConfig, name: string): VmNetwork {
  const found = networks.networks.find((entry) => entry.name === name)
  if (found === undefined) throw new Error(`no network ${name}`)
  return found
}

const signal = new AbortController().signal
const wide = '{ name: wide, bridge: vmbr0, mode: static, cidr: 127.20.0.0/22, gateway: 127.20.0.1 }'

describe('the address book', () => {
  it('hands out a /22 pool past its first /24, each address once', async () => {
    const networks = networksOf(wide)
    const addresses = book(networks)
    const lan = network(networks, 'wide')
    const held: string[] = []
    for (let job = 0; job < 300; job++) {
      held.push((await addresses.hold(lan, `job-${job}`, { vmid: 1000 + job, signal })).ipv4 ?? '')
    }
    expect(new Set(held).size).toBe(300)
    // the gateway .0.1 and the network address are never handed out
    expect(held[0]).toBe('127.20.0.2')
    expect(held).not.toContain('127.20.0.1')
    expect(held).toContain('127.20.0.255')
    expect(held[299]).toBe('127.20.1.45')
    expect(addresses.usage()).toEqual([
      { network: 'wide', ipv4: { size: 1021, used: 0, held: 300, free: 721 } },
    ])
  })

  it('gives 20 holds running at once 20 different addresses', async () => {
    const networks = networksOf(
      '{ name: lan, bridge: vmbr0, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1, pool: 127.20.0.10-127.20.0.40 }',
    )
    // every probe waits until all 20 holds have a candidate: they truly overlap
    let probing = 0
    let releaseProbes: () => void = () => undefined
    const allProbing = new Promise<void>((resolve) => (releaseProbes = resolve))
    const probe: AddressProbe = async () => {
      if (++probing === 20) releaseProbes()
      await allProbing
      return false
    }
    const addresses = book(networks, probe)
    await addresses.reconcile()
    const lan = network(networks, 'lan')
    const held = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        addresses.hold(lan, `job-${index}`, { vmid: 2000 + index, signal }),
      ),
    )
    const ips = held.map((result) => result.ipv4)
    expect(new Set(ips).size).toBe(20)
    expect(probing).toBe(20)
    expect(ips.every((ip) => ip?.startsWith('127.20.0.'))).toBe(true)
  })

  it('frees a rolled-back hold at once, and a VM’s address when it is destroyed', async () => {
    const networks = networksOf(wide)
    const addresses = book(networks)
    const lan = network(networks, 'wide')
    const first = await addresses.hold(lan, 'job-a', { vmid: 1000, signal })
    expect(first).toEqual({ network: 'wide', ipv4: '127.20.0.2' })
    addresses.release('job-a')
    expect((await addresses.hold(lan, 'job-b', { vmid: 1001, signal })).ipv4).toBe('127.20.0.2')
    addresses.assign('job-b', 1001)
    // assigned: a rollback of the finished job frees nothing
    addresses.release('job-b')
    expect((await addresses.hold(lan, 'job-c', { vmid: 1002, signal })).ipv4).toBe('127.20.0.3')
    expect(addresses.usage()[0]?.ipv4).toMatchObject({ used: 1, held: 1 })
    addresses.releaseVm(1001)
    expect((await addresses.hold(lan, 'job-d', { vmid: 1003, signal })).ipv4).toBe('127.20.0.2')
  })

  it('keeps assignments across a restart and drops holds (no install survives one)', async () => {
    const networks = networksOf(wide)
    const path = join(dir, `restart-${Date.now()}.db`)
    const before = book(networks, noProbe, path)
    const lan = network(networks, 'wide')
    await before.hold(lan, 'job-a', { vmid: 1000, signal })
    await started.cluster.createVm('pve1', 1000, {
      name: 'kept',
      ipconfig0: 'ip=127.20.0.2/22,gw=127.20.0.1',
    })
    before.assign('job-a', 1000)
    await before.hold(lan, 'job-b', { vmid: 1001, signal })
    store.close()
    const after = book(networks, noProbe, path)
    await after.reconcile()
    expect(after.usage()[0]?.ipv4).toMatchObject({ used: 1, held: 0 })
    expect((await after.hold(lan, 'job-c', { vmid: 1002, signal })).ipv4).toBe('127.20.0.3')
    await started.cluster.destroyVm('pve1', 1000, {})
  })

  it('never hands out an address a VM made outside the service uses', async () => {
    const networks = networksOf(
      '{ name: lan, bridge: vmbr0, mode: static, cidr: 127.21.0.0/24, gateway: 127.21.0.1, pool: 127.21.0.10-127.21.0.12 }',
    )
    await started.cluster.createVm('pve1', 4242, {
      name: 'made-by-hand',
      ipconfig0: 'ip=127.21.0.11/24,gw=127.21.0.1',
      ipconfig1: 'ip=dhcp,ip6=auto',
    })
    try {
      const addresses = book(networks)
      const lan = network(networks, 'lan')
      // no reconcile called: the first hold of a static pool reads the cluster itself
      const held = await Promise.all(
        ['a', 'b'].map((job, index) => addresses.hold(lan, job, { vmid: 3000 + index, signal })),
      )
      expect(held.map((result) => result.ipv4).sort()).toEqual(['127.21.0.10', '127.21.0.12'])
      await expect(addresses.hold(lan, 'c', { vmid: 3002, signal })).rejects.toThrow(
        PoolExhaustedError,
      )
      await expect(
        addresses.hold(lan, 'd', { vmid: 3003, requestedIp: '127.21.0.11', signal }),
      ).rejects.toThrow('ip: 127.21.0.11 is not free on network lan: VM 4242 uses it')
      expect(addresses.usage()[0]?.ipv4).toEqual({ size: 3, used: 1, held: 2, free: 0 })
    } finally {
      await started.cluster.destroyVm('pve1', 4242, {})
    }
  })

  it('skips an address that answers the probe', async () => {
    const networks = networksOf(wide)
    const asked: string[] = []
    const addresses = book(networks, async (address) => {
      asked.push(address)
      return address === '127.20.0.2'
    })
    const lan = network(networks, 'wide')
    expect((await addresses.hold(lan, 'a', { vmid: 1000, signal })).ipv4).toBe('127.20.0.3')
    expect(asked).toEqual(['127.20.0.2', '127.20.0.3'])
    // remembered until the next reconcile: not asked again
    expect((await addresses.hold(lan, 'b', { vmid: 1001, signal })).ipv4).toBe('127.20.0.4')
    expect(asked).toEqual(['127.20.0.2', '127.20.0.3', '127.20.0.4'])
    await expect(
      addresses.hold(lan, 'c', { vmid: 1002, requestedIp: '127.20.0.2', signal }),
    ).rejects.toThrow(InvalidInputError)
  })

  it('holds an IPv6 address from a static pool beside the IPv4 one', async () => {
    const networks = networksOf(
      '{ name: dual, bridge: vmbr0, mode: static, cidr: 127.22.0.0/24, gateway: 127.22.0.1, ipv6: { mode: static, prefix: "2001:db8:22::/64", gateway: "2001:db8:22::1", pool: "2001:db8:22::ff-2001:db8:22::101" } }',
      '{ name: v6only, bridge: vmbr1, mode: dhcp, ipv6: { mode: static, prefix: "2001:db8:23::/64" } }',
      '{ name: v6small, bridge: vmbr1, vlan: 6, mode: dhcp, ipv6: { mode: static, prefix: "2001:db8:24::/120" } }',
      '{ name: auto, bridge: vmbr1, vlan: 5, mode: dhcp, ipv6: { mode: slaac } }',
    )
    const addresses = book(networks)
    const dual = network(networks, 'dual')
    expect(await addresses.hold(dual, 'a', { vmid: 1000, signal })).toEqual({
      network: 'dual',
      ipv4: '127.22.0.2',
      ipv6: '2001:db8:22::ff',
    })
    expect(
      await addresses.hold(dual, 'b', { vmid: 1001, requestedIp: '2001:DB8:22::101', signal }),
    ).toEqual({ network: 'dual', ipv4: '127.22.0.3', ipv6: '2001:db8:22::101' })
    expect((await addresses.hold(dual, 'c', { vmid: 1002, signal })).ipv6).toBe('2001:db8:22::100')
    await expect(addresses.hold(dual, 'd', { vmid: 1003, signal })).rejects.toThrow(
      'network dual: no free address left in the pool of 3 addresses',
    )
    // the failed hold kept nothing: its IPv4 address is free again
    expect(addresses.usage()[0]).toEqual({
      network: 'dual',
      ipv4: { size: 253, used: 0, held: 3, free: 250 },
      ipv6: { size: 3, used: 0, held: 3, free: 0 },
    })
    // without a pool: the prefix from ::100 on
    const v6only = await addresses.hold(network(networks, 'v6only'), 'e', { vmid: 1004, signal })
    expect(v6only).toEqual({ network: 'v6only', ipv6: '2001:db8:23::100' })
    // a prefix too small for that: from ::1 (::0 is the subnet-router anycast address)
    const small = await addresses.hold(network(networks, 'v6small'), 'g', { vmid: 1006, signal })
    expect(small).toEqual({ network: 'v6small', ipv6: '2001:db8:24::1' })
    expect(await addresses.hold(network(networks, 'auto'), 'f', { vmid: 1005, signal })).toEqual({
      network: 'auto',
    })
  })

  it('refuses an address outside the pool, naming the field ip', async () => {
    const networks = networksOf(
      '{ name: lan, bridge: vmbr0, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1, pool: [127.20.0.10, 127.20.0.20] }',
    )
    const addresses = book(networks)
    const lan = network(networks, 'lan')
    const refusal = addresses.hold(lan, 'a', { vmid: 1000, requestedIp: '127.20.0.15', signal })
    await expect(refusal).rejects.toMatchObject({
      field: 'ip',
      message: 'ip: 127.20.0.15 is not in the pool of network lan (127.20.0.10, 127.20.0.20)',
    })
    await expect(
      addresses.hold(lan, 'b', { vmid: 1000, requestedIp: 'not-an-ip', signal }),
    ).rejects.toMatchObject({ field: 'ip' })
    expect(
      (await addresses.hold(lan, 'c', { vmid: 1000, requestedIp: '127.20.0.20', signal })).ipv4,
    ).toBe('127.20.0.20')
  })

  it('keeps the seed scheme: the address follows the VMID, and only that one may be asked for', async () => {
    const networks = parseConfig({ ASSIGN_IP_START: '100', ASSIGN_IP_END: '200' }).networks
    const addresses = book(networks)
    const seed = network(networks, 'default')
    expect(await addresses.hold(seed, 'a', { vmid: 123, signal })).toEqual({
      network: 'default',
      ipv4: '127.0.0.123',
    })
    expect(
      await addresses.hold(seed, 'b', { vmid: 124, requestedIp: '127.0.0.124', signal }),
    ).toEqual({ network: 'default', ipv4: '127.0.0.124' })
    await expect(
      addresses.hold(seed, 'c', { vmid: 125, requestedIp: '127.0.0.126', signal }),
    ).rejects.toThrow(
      'ip: on network default the address follows the VMID: VM 125 gets 127.0.0.125',
    )
    expect(addresses.usage()).toEqual([
      { network: 'default', ipv4: { size: 101, used: 0, held: 2, free: 99 } },
    ])
  })
})
