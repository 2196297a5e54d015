import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { NetworkListReply } from '../../src/http/schemas/networks.js'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'

const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-networks-api-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const networksFile = join(dir, 'networks.yaml')
writeFileSync(
  networksFile,
  `networks:
  - name: lan
    bridge: vmbr0
    firewall: true
    description: the office LAN
    mode: static
    cidr: 127.20.0.0/22
    gateway: 127.20.0.1
    pool: 127.20.0.10-127.20.3.250
    dns: [127.20.0.2]
    ipv6:
      mode: static
      prefix: 2001:db8:20::/64
      gateway: 2001:db8:20::1
      pool: [2001:db8:20::100-2001:db8:20::1ff]
  - name: guests
    bridge: vmbr0
    vlan: 20
    mtu: 1400
    mode: static
    cidr: 127.30.0.0/24
    gateway: 127.30.0.1
    pool: [127.30.0.5, 127.30.0.6]
  - name: office
    bridge: vmbr1
    mode: dhcp
    ipv6: { mode: slaac }
`,
)

const token = 'networks-token-0123456789'

async function networks(
  app: TestApp,
  query = '',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: NetworkListReply }> {
  const response = await fetch(`${app.url}/api/networks${query}`, { headers })
  const body = (await response.json()) as NetworkListReply
  return { status: response.status, body }
}

describe('GET /api/networks', () => {
  it('lists the networks of the file with their addressing and pool counts', async () => {
    t = await buildTestApp({
      env: { NETWORKS_FILE: networksFile, VMID_START: '2000', VMID_END: '2999' },
    })
    // a VM made outside the service, on an address of the lan pool and of the guests pool
    await t.cluster.createVm('pve1', 777, {
      name: 'by-hand',
      ipconfig0: 'ip=127.20.1.7/22,gw=127.20.0.1,ip6=2001:db8:20::1ff/64',
      ipconfig1: 'ip=127.30.0.6/24',
    })
    const { status, body } = await networks(t)
    expect(status).toBe(200)
    expect(body).toEqual({
      success: true,
      vmid_range: { start: 2000, end: 2999 },
      networks: [
        {
          name: 'lan',
          default: true,
          bridge: 'vmbr0',
          firewall: true,
          description: 'the office LAN',
          ipv4: {
            mode: 'static',
            cidr: '127.20.0.0/22',
            gateway: '127.20.0.1',
            dns: ['127.20.0.2'],
            pool: ['127.20.0.10-127.20.3.250'],
            size: 1009,
            used: 1,
            held: 0,
            free: 1008,
          },
          ipv6: {
            mode: 'static',
            cidr: '2001:db8:20::/64',
            gateway: '2001:db8:20::1',
            pool: ['2001:db8:20::100-2001:db8:20::1ff'],
            size: 256,
            used: 1,
            held: 0,
            free: 255,
          },
        },
        {
          name: 'guests',
          default: false,
          bridge: 'vmbr0',
          vlan: 20,
          mtu: 1400,
          firewall: false,
          ipv4: {
            mode: 'static',
            cidr: '127.30.0.0/24',
            gateway: '127.30.0.1',
            dns: [],
            pool: ['127.30.0.5', '127.30.0.6'],
            size: 2,
            used: 1,
            held: 0,
            free: 1,
          },
        },
        {
          name: 'office',
          default: false,
          bridge: 'vmbr1',
          firewall: false,
          ipv4: { mode: 'dhcp' },
          ipv6: { mode: 'slaac' },
        },
      ],
    })

    // a VM destroyed elsewhere frees its addresses once the cluster is read again
    await t.cluster.destroyVm('pve1', 777, {})
    const stale = await networks(t)
    expect(stale.body.networks[1]?.ipv4.used).toBe(1)
    const fresh = await networks(t, '?refresh=1')
    expect(fresh.body.networks[1]?.ipv4).toMatchObject({ used: 0, free: 2 })
  })

  it('shows the seed network when no file is given, counting the VMs in its range', async () => {
    t = await buildTestApp({ env: { ASSIGN_IP_START: '100', ASSIGN_IP_END: '199' } })
    const before = (await t.cluster.resources()).vms.filter(
      (vm) => vm.vmid >= 100 && vm.vmid <= 199,
    )
    // one with an ipconfig, one without: the address follows the VMID either way
    await t.cluster.createVm('pve1', 189, { name: 'bare' })
    await t.cluster.createVm('pve1', 188, {
      name: 'seeded',
      ipconfig0: 'ip=127.0.0.188/24,gw=127.0.0.1',
    })
    const { status, body } = await networks(t)
    expect(status).toBe(200)
    expect(body.networks).toEqual([
      {
        name: 'default',
        default: true,
        bridge: 'vmbr0',
        firewall: false,
        ipv4: {
          mode: 'vmid',
          cidr: '127.0.0.0/24',
          gateway: '127.0.0.1',
          pool: ['127.0.0.100-127.0.0.199'],
          size: 100,
          used: before.length + 2,
          held: 0,
          free: 98 - before.length,
        },
      },
    ])
  })

  it('refuses a refresh that is not a flag, naming it', async () => {
    t = await buildTestApp({ env: { NETWORKS_FILE: networksFile } })
    const response = await fetch(`${t.url}/api/networks?refresh=later`)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('refresh')
  })

  it('needs a token like the other read routes when API tokens are set', async () => {
    t = await buildTestApp({ env: { NETWORKS_FILE: networksFile, API_TOKENS: `ops:${token}` } })
    const response = await fetch(`${t.url}/api/networks`)
    expect(response.status).toBe(401)
    const allowed = await networks(t, '', { authorization: `Bearer ${token}` })
    expect(allowed.status).toBe(200)
    expect(allowed.body.networks.map((network) => network.name)).toEqual([
      'lan',
      'guests',
      'office',
    ])
  })

  it('is documented in the OpenAPI document', async () => {
    t = await buildTestApp()
    const document = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as {
      paths: Record<string, { get?: { summary?: string } }>
    }
    expect(document.paths['/api/networks']?.get?.summary).toBe(
      'The networks VMs can be installed on, with free and used addresses',
    )
  })
})
