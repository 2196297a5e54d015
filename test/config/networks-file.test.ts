import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, describeConfig, parseConfig, type Config } from '../../src/config/index.js'

const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-networks-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

/** Writes `text` as a networks file and parses a configuration naming it. */
function load(text: string, vars: Record<string, string> = {}, name = 'networks.yaml'): Config {
  const path = join(dir, `${files++}-${name}`)
  writeFileSync(path, text)
  return parseConfig({ NETWORKS_FILE: path, ...vars })
}

/** The NETWORKS_FILE problems of `text`, without the file path. */
function problemsOf(text: string, vars: Record<string, string> = {}): string[] {
  try {
    load(text, vars)
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems.map((line) => line.replace(/\/\S*networks\.yaml/, '<file>'))
  }
}

/** A file of one static network on loopback with `extra` lines added to it. */
function oneNetwork(extra: string, base = staticBase): string {
  return `networks:\n  - ${[...base, ...extra.split('\n').filter(Boolean)].join('\n    ')}\n`
}
const staticBase = [
  'name: lan',
  'bridge: vmbr0',
  'mode: static',
  'cidr: 127.20.0.0/22',
  'gateway: 127.20.0.1',
]

describe('NETWORKS_FILE', () => {
  it('without a file, the seed variables make one network on vmbr0 that follows the VMID', () => {
    const config = parseConfig({
      GATEWAY: '127.0.0.1',
      ASSIGN_IP_START: '120',
      ASSIGN_IP_END: '130',
    })
    expect(config.networks).toEqual({
      networks: [
        {
          name: 'default',
          bridge: 'vmbr0',
          firewall: false,
          ipv4: { mode: 'seed', gateway: '127.0.0.1', ipStart: 120, ipEnd: 130 },
        },
      ],
      vmidStart: 1000,
      vmidEnd: 8999,
      probe: 'ping',
      fromFile: false,
    })
  })

  it('reads every mode of a YAML file, first network first', () => {
    const config = load(`
networks:
  - name: lan
    bridge: vmbr0
    firewall: true
    mode: static
    cidr: 127.20.0.0/22
    gateway: 127.20.0.1
    pool: 127.20.0.10-127.20.3.250
    dns: [127.20.0.2, "2001:db8::53"]
  - name: dmz
    bridge: vmbr0
    vlan: 30
    mtu: 9000
    mode: static
    cidr: 127.30.0.0/24
    gateway: 127.30.0.254
    pool: [127.30.0.5, "127.30.0.7-127.30.0.9", { from: 127.30.0.20, to: 127.30.0.21 }]
  - name: office
    bridge: vmbr1
    mode: dhcp
    ipv6: { mode: slaac }
  - name: v6
    bridge: vmbr0
    vlan: 60
    mode: dhcp
    ipv6:
      mode: static
      prefix: 2001:db8:60::/64
      gateway: fe80::1
      pool: 2001:DB8:60::100-2001:db8:60::1ff
  - name: v6dhcp
    bridge: vmbr0
    vlan: 61
    mode: dhcp
    ipv6: { mode: dhcp }
`)
    const [lan, dmz, office, v6, v6dhcp] = config.networks.networks
    expect(config.networks.fromFile).toBe(true)
    expect(lan).toEqual({
      name: 'lan',
      bridge: 'vmbr0',
      firewall: true,
      ipv4: {
        mode: 'static',
        cidr: '127.20.0.0/22',
        prefixLength: 22,
        gateway: '127.20.0.1',
        dns: ['127.20.0.2', '2001:db8::53'],
        pool: [{ from: '127.20.0.10', to: '127.20.3.250' }],
      },
    })
    expect(dmz).toMatchObject({ vlan: 30, mtu: 9000, firewall: false })
    expect(dmz?.ipv4).toMatchObject({
      pool: [
        { from: '127.30.0.5', to: '127.30.0.5' },
        { from: '127.30.0.7', to: '127.30.0.9' },
        { from: '127.30.0.20', to: '127.30.0.21' },
      ],
    })
    expect(office).toMatchObject({ ipv4: { mode: 'dhcp' }, ipv6: { mode: 'slaac' } })
    expect(v6?.ipv6).toEqual({
      mode: 'static',
      prefix: '2001:db8:60::',
      prefixLength: 64,
      gateway: 'fe80::1',
      pool: [{ from: '2001:db8:60::100', to: '2001:db8:60::1ff' }],
    })
    expect(v6dhcp?.ipv6).toEqual({ mode: 'dhcp' })
  })

  it('reads JSON too, and any IPv4 prefix length', () => {
    const config = load(
      JSON.stringify({
        networks: [
          {
            name: 'wide',
            bridge: 'vmbr0',
            mode: 'static',
            cidr: '127.0.0.0/9',
            gateway: '127.0.0.1',
          },
          {
            name: 'p2p',
            bridge: 'vmbr1',
            mode: 'static',
            cidr: '127.9.9.8/31',
            gateway: '127.9.9.8',
          },
        ],
      }),
      {},
      'networks.json',
    )
    expect(config.networks.networks.map((network) => network.ipv4)).toMatchObject([
      { cidr: '127.0.0.0/9', prefixLength: 9 },
      { cidr: '127.9.9.8/31', prefixLength: 31 },
    ])
  })

  it('reads the VMID range and IP_PROBE', () => {
    const config = load(oneNetwork(''), { VMID_START: '20000', VMID_END: '29999', IP_PROBE: 'off' })
    expect(config.networks).toMatchObject({ vmidStart: 20000, vmidEnd: 29999, probe: 'off' })
  })

  it.each([
    ['an unknown key', 'colour: red', 'network "lan": colour: unknown key'],
    ['a VLAN tag of 0', 'vlan: 0', 'network "lan": vlan: must be an integer from 1 to 4094, got 0'],
    [
      'a VLAN tag of 4095',
      'vlan: 4095',
      'network "lan": vlan: must be an integer from 1 to 4094, got 4095',
    ],
    [
      'an MTU above 65520',
      'mtu: 70000',
      'network "lan": mtu: must be an integer from 1 to 65520, got 70000',
    ],
    [
      'a firewall that is not a boolean',
      'firewall: yes please',
      'network "lan": firewall: must be true or false',
    ],
    [
      'a pool outside the CIDR',
      'pool: 127.20.3.200-127.20.4.10',
      'network "lan": pool: 127.20.3.200-127.20.4.10 is outside the network (127.20.0.0-127.20.3.255)',
    ],
    [
      'a pool holding the network address',
      'pool: 127.20.0.0-127.20.0.9',
      'network "lan": pool: 127.20.0.0-127.20.0.9 includes the network address 127.20.0.0',
    ],
    [
      'a pool holding the broadcast address',
      'pool: 127.20.3.250-127.20.3.255',
      'network "lan": pool: 127.20.3.250-127.20.3.255 includes the broadcast address 127.20.3.255',
    ],
    [
      'a pool holding the gateway',
      'pool: [127.20.0.1]',
      'network "lan": pool: 127.20.0.1 includes the gateway 127.20.0.1',
    ],
    [
      'a pool range that runs backwards',
      'pool: 127.20.0.9-127.20.0.5',
      'network "lan": pool: 127.20.0.9-127.20.0.5 runs backwards',
    ],
    [
      'pool ranges that overlap',
      'pool: ["127.20.0.5-127.20.0.9", 127.20.0.7]',
      'network "lan": pool: 127.20.0.7 overlaps another range of the pool',
    ],
    [
      'a pool entry that is not an address',
      'pool: [lots]',
      'network "lan": pool: "lots" is not a range of IPv4 addresses',
    ],
    [
      'a name server that is not an address',
      'dns: [ns1.example]',
      'network "lan": dns: each name server must be an IP address',
    ],
  ])('refuses %s with one line naming the network and field', (_, extra, line) => {
    const problems = problemsOf(oneNetwork(extra))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain(`NETWORKS_FILE: ${line}`)
  })

  it.each([
    [
      'a bad CIDR',
      ['cidr: 127.20.0.0/33'],
      'network "lan": cidr: "127.20.0.0/33" has a prefix length above 32',
    ],
    [
      'a CIDR with host bits',
      ['cidr: 127.20.1.0/22'],
      'network "lan": cidr: "127.20.1.0/22" has host bits set: the network of that prefix is 127.20.0.0/22',
    ],
    [
      'a gateway outside the CIDR',
      ['gateway: 127.21.0.1'],
      'network "lan": gateway: 127.21.0.1 is outside 127.20.0.0/22',
    ],
    [
      'a gateway on the broadcast address',
      ['gateway: 127.20.3.255'],
      'network "lan": gateway: 127.20.3.255 is the network or broadcast address',
    ],
    ['a missing bridge', [], 'network "lan": bridge: is required'],
    [
      'a mode that does not exist',
      ['mode: ppp'],
      'network "lan": mode: must be one of static, dhcp, got "ppp"',
    ],
  ])('refuses %s', (_, lines, line) => {
    const base = staticBase
      .filter((entry) => !lines.some((l) => l.split(':')[0] === entry.split(':')[0]))
      .filter((entry) => !(line.includes('bridge: is required') && entry.startsWith('bridge')))
    const problems = problemsOf(oneNetwork(lines.join('\n'), base))
    expect(problems).toContain(`NETWORKS_FILE: ${line}`)
    expect(problems).toHaveLength(1)
  })

  it('refuses addressing keys on a DHCP network', () => {
    const problems = problemsOf(
      oneNetwork('', ['name: lan', 'bridge: vmbr0', 'mode: dhcp', 'cidr: 127.20.0.0/24']),
    )
    expect(problems).toEqual([
      'NETWORKS_FILE: network "lan": cidr: only with mode static (DHCP hands it out)',
    ])
  })

  it('refuses duplicate names, and overlapping pools on one bridge and VLAN', () => {
    const problems = problemsOf(`
networks:
  - { name: a, bridge: vmbr0, vlan: 7, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1, pool: 127.20.0.10-127.20.0.50 }
  - { name: b, bridge: vmbr0, vlan: 7, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1, pool: 127.20.0.40-127.20.0.60 }
  - { name: c, bridge: vmbr0, vlan: 8, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1, pool: 127.20.0.40-127.20.0.60 }
  - { name: d, bridge: vmbr0, vlan: 7, mode: static, cidr: 127.20.0.0/24, gateway: 127.20.0.1, pool: 127.20.0.51-127.20.0.60 }
  - { name: a, bridge: vmbr1, mode: dhcp }
`)
    expect(problems).toEqual([
      'NETWORKS_FILE: network "b": pool: overlaps the pool of network "a" on the same bridge vmbr0 (VLAN 7)',
      'NETWORKS_FILE: network "d": pool: overlaps the pool of network "b" on the same bridge vmbr0 (VLAN 7)',
      'NETWORKS_FILE: network "a": name: "a" is used by an earlier network',
    ])
  })

  it('names every IPv6 problem with its network', () => {
    const problems = problemsOf(`
networks:
  - name: v6
    bridge: vmbr0
    mode: dhcp
    mtu: 1000
    ipv6:
      mode: static
      prefix: 2001:db8:1::/64
      gateway: 2001:db8:2::1
      pool: 2001:db8:1::-2001:db8:1::10
  - name: v6b
    bridge: vmbr1
    mode: dhcp
    ipv6: { mode: static, prefix: 2001:db8:1::1/64 }
  - name: v6c
    bridge: vmbr2
    mode: dhcp
    ipv6: { mode: slaac, pool: 2001:db8::5 }
  - name: v6d
    bridge: vmbr3
    mode: dhcp
    ipv6: { mode: static, prefix: 2001:db8:9::/64, pool: 2001:db8:10::5 }
`)
    expect(problems).toEqual([
      'NETWORKS_FILE: network "v6": mtu: must be at least 1280 on a network with IPv6 (or 1, the bridge\'s), got 1000',
      'NETWORKS_FILE: network "v6" ipv6: gateway: 2001:db8:2::1 is neither inside the prefix nor link-local',
      'NETWORKS_FILE: network "v6" ipv6: pool: 2001:db8:1::-2001:db8:1::10 includes the subnet-router anycast address 2001:db8:1::',
      'NETWORKS_FILE: network "v6b" ipv6: prefix: "2001:db8:1::1/64" has host bits set: the network of that prefix is 2001:db8:1::/64',
      'NETWORKS_FILE: network "v6c" ipv6: pool: only with mode static (slaac hands it out)',
      'NETWORKS_FILE: network "v6d" ipv6: pool: 2001:db8:10::5 is outside the network (2001:db8:9::-2001:db8:9:0:ffff:ffff:ffff:ffff)',
    ])
  })

  it('keeps a simulated network on loopback and documentation prefixes', () => {
    const problems = problemsOf(`
networks:
  - { name: lan, bridge: vmbr0, mode: static, cidr: 10.20.0.0/22, gateway: 10.20.0.1 }
  - { name: v6, bridge: vmbr0, vlan: 2, mode: dhcp, ipv6: { mode: static, prefix: "2a00:1::/64" } }
`)
    expect(problems).toEqual([
      'NETWORKS_FILE: network "lan": cidr: must be a loopback network (inside 127.0.0.0/8) while the simulator runs, got "10.20.0.0/22"',
      'NETWORKS_FILE: network "v6" ipv6: prefix: must lie inside 2001:db8::/32 (documentation), ::1/128 or ::ffff:127.0.0.0/104 while the simulator runs, got "2a00:1::/64"',
    ])
    // a real cluster takes any network
    const real = { MAIN_NODE: 'pve1', NODE_pve1: '127.0.0.11', GATEWAY: '10.0.0.1' }
    expect(
      problemsOf(
        oneNetwork('', [
          'name: lan',
          'bridge: vmbr0',
          'mode: static',
          'cidr: 10.20.0.0/22',
          'gateway: 10.20.0.1',
        ]),
        real,
      ),
    ).toEqual([])
  })

  it('reports a YAML syntax error with its line, and a missing file', () => {
    expect(problemsOf('networks:\n  - name: a\n  name: b\n')[0]).toMatch(
      /^NETWORKS_FILE: <file>: .* at line 3, column \d+$/,
    )
    expect(() => parseConfig({ NETWORKS_FILE: join(dir, 'missing.yaml') })).toThrow(
      /NETWORKS_FILE: .*missing\.yaml: does not exist/,
    )
    expect(problemsOf('networks: []\n')).toEqual([
      'NETWORKS_FILE: <file>: networks: must list at least one network',
    ])
    expect(problemsOf('nets: []\n')).toEqual([
      'NETWORKS_FILE: <file>: must be a mapping with a list under "networks"',
    ])
  })

  it('keeps the VMID range apart from the template range', () => {
    expect(problemsOf(oneNetwork(''), { VMID_START: '8000', VMID_END: '9500' })).toEqual([
      'TEMPLATE_VMID_START: the template range 9000-9099 must not overlap the install range 8000-9500 (VMID_START..VMID_END)',
    ])
    expect(problemsOf(oneNetwork(''), { VMID_START: '5000', VMID_END: '4000' })).toEqual([
      'VMID_END: must be at least VMID_START (5000), got 4000',
    ])
    // without a file the VMID range is unused: templates may sit in it as before
    expect(() =>
      parseConfig({ TEMPLATE_VMID_START: '1000', TEMPLATE_VMID_END: '1099' }),
    ).not.toThrow()
  })
})

describe('the start-up description', () => {
  it('names the networks of the file, the VMID range and the probe', () => {
    const config = load(`
networks:
  - { name: lan, bridge: vmbr0, mode: static, cidr: 127.20.0.0/22, gateway: 127.20.0.1 }
  - { name: office, bridge: vmbr1, vlan: 20, mode: dhcp, ipv6: { mode: slaac } }
`)
    const line = describeConfig(config).find((entry) => entry.startsWith('networks:'))
    expect(line).toBe(
      `networks: lan (vmbr0, static 127.20.0.0/22), office (vmbr1 vlan 20, dhcp, ipv6 slaac) from ${config.networks.file ?? ''}; VMIDs 1000 to 8999; ip probe ping`,
    )
  })
})
