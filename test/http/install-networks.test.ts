import { describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/build-test-app.js'
import { networkApps } from '../helpers/network-apps.js'
import { openStream } from '../jobs/helpers/live-stream.js'
import { installResultOf } from '../helpers/install-result.js'
import { readSse, type SseRead } from '../helpers/sse-client.js'

/**
 * Installs on the networks of a NETWORKS_FILE (issue 16), against the real server and the
 * simulated cluster. Every static address is loopback (the simulator's guests answer SSH there);
 * the IPv6 pool is the documentation prefix, which is shown and written, never connected to.
 */
const networksFile = {
  networks: [
    {
      name: 'lan',
      bridge: 'vmbr0',
      mode: 'static',
      cidr: '127.30.0.0/22',
      gateway: '127.30.0.1',
      // crosses a /24 boundary: any prefix length, not only the seed's /24
      pool: '127.30.0.254-127.30.1.40',
      dns: ['127.30.0.53'],
    },
    { name: 'office', bridge: 'vmbr1', mode: 'dhcp' },
    {
      name: 'auto6',
      bridge: 'vmbr0',
      mode: 'static',
      cidr: '127.35.0.0/24',
      gateway: '127.35.0.1',
      pool: '127.35.0.10-127.35.0.20',
      ipv6: { mode: 'slaac' },
    },
    {
      name: 'dual',
      bridge: 'vmbr0',
      mode: 'static',
      cidr: '127.31.0.0/24',
      gateway: '127.31.0.1',
      pool: '127.31.0.10-127.31.0.20',
      ipv6: {
        mode: 'static',
        prefix: '2001:db8:31::/64',
        gateway: '2001:db8:31::1',
        pool: '2001:db8:31::100-2001:db8:31::1ff',
      },
    },
    {
      name: 'tagged',
      bridge: 'vmbr0',
      vlan: 10,
      mtu: 1400,
      firewall: true,
      mode: 'static',
      cidr: '127.32.0.0/24',
      gateway: '127.32.0.1',
      pool: '127.32.0.10-127.32.0.20',
    },
    {
      name: 'tagged-flat',
      bridge: 'vmbr1',
      vlan: 20,
      mode: 'static',
      cidr: '127.33.0.0/24',
      gateway: '127.33.0.1',
      pool: '127.33.0.10-127.33.0.20',
    },
    {
      name: 'second',
      bridge: 'vmbr1',
      mode: 'static',
      cidr: '127.34.0.0/24',
      gateway: '127.34.0.1',
      pool: '127.34.0.10-127.34.0.20',
    },
  ],
}

const { start, startWithout } = networkApps(networksFile)

const install = (app: TestApp, body: Record<string, unknown>): Promise<SseRead> =>
  readSse(`${app.url}/api/vm/install`, { body: { os: 'debian', version: '12', ...body } })

/** Rocky's image has qemu-guest-agent; Debian's and Ubuntu's have none (cloud-images.md §3). */
const rocky = { os: 'rockylinux', version: '9' }

interface ListedVm {
  vmid: number
  node: string
  ip?: string
  addresses?: string[]
  network?: string
}

async function listed(app: TestApp, vmid: number): Promise<ListedVm | undefined> {
  const answer = await fetch(`${app.url}/api/vm/list`)
  const body = (await answer.json()) as { vms: ListedVm[] }
  return body.vms.find((vm) => vm.vmid === vmid)
}

/** Holds and assignments the store keeps for a network. */
const rowsOf = (app: TestApp, network: string): { address: string; state: string }[] =>
  app.store.addresses.rows().filter((row) => row.network === network)

const toNumber = (address: string): number =>
  address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0)

describe('installs on a static /22 pool', () => {
  it('take an address from the pool and a VMID from the VMID range; the VM and the list show it', async () => {
    const app = await start()
    const stream = await install(app, { network: 'lan' })
    const result = installResultOf(stream)
    expect(result.network).toBe('lan')
    expect(result.vmid).toBeGreaterThanOrEqual(app.config.networks.vmidStart)
    expect(result.vmid).toBeLessThanOrEqual(app.config.networks.vmidEnd)
    const ip = toNumber(result.ip)
    expect(ip).toBeGreaterThanOrEqual(toNumber('127.30.0.254'))
    expect(ip).toBeLessThanOrEqual(toNumber('127.30.1.40'))
    expect(stream.steps.at(-1)).toMatchObject({ vm_id: result.vmid, ip: result.ip })
    const messages = stream.steps.map((step) => step.message)
    expect(messages).toContain(`[*] IP: ${result.ip}`)
    expect(
      messages.some((m) => m.startsWith(`[+] assigned IP: ${result.ip}/22 (network lan)`)),
    ).toBe(true)

    const config = await app.cluster.vmConfig(result.node, result.vmid)
    expect(config.ipconfig0).toBe(`ip=${result.ip}/22,gw=127.30.0.1`)
    expect(config.net0).toMatch(/^virtio(=[0-9A-Fa-f:]+)?,bridge=vmbr0$/)
    expect(config.nameserver).toBe('127.30.0.53')
    expect(rowsOf(app, 'lan')).toMatchObject([{ address: result.ip, state: 'assigned' }])

    await expect
      .poll(() => listed(app, result.vmid), { timeout: 10_000 })
      .toMatchObject({ ip: result.ip, addresses: [result.ip], network: 'lan' })
    const info = (await (await fetch(`${app.url}/api/vm/${result.vmid}/info`)).json()) as {
      vm: Record<string, unknown>
    }
    expect(info.vm).toMatchObject({ ip: result.ip, addresses: [result.ip], network: 'lan' })
  })

  it('gives 20 installs at once 20 different addresses', async () => {
    const app = await start({ MAX_CONCURRENT_INSTALLS: '10' })
    const streams = await Promise.all(
      Array.from({ length: 20 }, () => install(app, { network: 'lan', pubkey: sshKey })),
    )
    const results = streams.map(installResultOf)
    const ips = results.map((result) => result.ip)
    expect(new Set(ips).size).toBe(20)
    expect(new Set(results.map((result) => result.vmid)).size).toBe(20)
    for (const result of results) {
      const config = await app.cluster.vmConfig(result.node, result.vmid)
      expect(config.ipconfig0).toBe(`ip=${result.ip}/22,gw=127.30.0.1`)
    }
    expect(
      rowsOf(app, 'lan')
        .map((row) => row.address)
        .sort(),
    ).toEqual([...ips].sort())
  }, 240_000)

  it('frees the address on destroy and on rollback: the next install gets it again', async () => {
    const app = await start()
    const first = installResultOf(await install(app, { network: 'lan', pubkey: sshKey }))
    const destroyed = await fetch(`${app.url}/api/vm/${first.vmid}/destroy`, { method: 'POST' })
    expect(destroyed.status).toBe(200)
    expect(rowsOf(app, 'lan')).toEqual([])
    const second = installResultOf(await install(app, { network: 'lan', pubkey: sshKey }))
    expect(second.ip).toBe(first.ip)

    // an install that fails after it held an address rolls back and frees it
    app.simGuests.faults.failScript(second.vmid + 1)
    const failed = await install(app, { network: 'lan', pubkey: sshKey })
    expect(failed.steps.at(-1)).toMatchObject({ status: 'error' })
    expect(failed.steps.at(-1)?.message).toContain('reservation released')
    const held = rowsOf(app, 'lan').map((row) => row.address)
    expect(held).toEqual([second.ip])
    const third = installResultOf(await install(app, { network: 'lan', pubkey: sshKey }))
    const failedIp = failed.steps
      .map((step) => /assigned IP: ([\d.]+)\//.exec(step.message)?.[1])
      .find((ip) => ip !== undefined)
    expect(third.ip).toBe(failedIp)
  }, 120_000)

  it('takes the address asked for, and refuses one outside the pool or taken (400 naming ip)', async () => {
    const app = await start()
    const asked = installResultOf(
      await install(app, { network: 'lan', ip: '127.30.1.7', pubkey: sshKey }),
    )
    expect(asked.ip).toBe('127.30.1.7')
    const taken = await install(app, { network: 'lan', ip: '127.30.1.7', pubkey: sshKey })
    expect(taken.steps.at(-1)?.message ?? taken.text).toMatch(/ip: 127\.30\.1\.7 is not free/)
    // outside the pool: refused before the stream, like any bad field
    const outside = await install(app, { network: 'lan', ip: '127.30.3.7', pubkey: sshKey })
    expect(outside.status).toBe(400)
    expect(outside.text).toContain('ip: 127.30.3.7 is not in the pool of network lan')
    const bad = await install(app, { network: 'lan', ip: 'not-an-ip' })
    expect(bad.status).toBe(400)
    expect(bad.text).toContain('ip')
  })
})

describe('the request fields network and ip', () => {
  it('refuse an unknown network with a 400 naming network; Go zero values count as not given', async () => {
    const app = await start()
    const unknown = await install(app, { network: 'nowhere' })
    expect(unknown.status).toBe(400)
    const body = JSON.parse(unknown.text ?? '{}') as { message?: string }
    expect(body.message).toMatch(/^network: no network named "nowhere"; known: lan, office/)
    // "network":"" and "ip":"" are what a Go client sends for unset fields: the first network
    const zero = installResultOf(await install(app, { network: '', ip: '', pubkey: sshKey }))
    expect(zero.network).toBe('lan')
  })
})

describe('without a networks file', () => {
  it('ip names the VMID on the one network (its address follows the VMID), or is refused', async () => {
    const app = await startWithout()
    const stream = await install(app, { ip: '127.0.0.150', pubkey: sshKey })
    expect(stream.steps.at(-1)).toMatchObject({ vm_id: 150, ip: '127.0.0.150' })
    const last = stream.events.filter((event) => event.event !== 'close').at(-1)?.data
    // the result keeps exactly its original fields
    expect(Object.keys((last as { result: object }).result).sort()).toEqual([
      'ip',
      'node',
      'ssh',
      'user',
      'vmid',
    ])
    const mismatch = await install(app, { id: 151, ip: '127.0.0.152' })
    expect(mismatch.status).toBe(400)
    expect(mismatch.text).toContain('ip: on network default the address follows the VMID')
    const named = await install(app, { network: 'lan' })
    expect(named.status).toBe(400)
    expect((JSON.parse(named.text ?? '{}') as { message?: string }).message).toBe(
      'network: no network named "lan"; known: default',
    )
  })
})

describe('a DHCP network', () => {
  it('learns the address from the guest agent: the final event and the list show the lease', async () => {
    const app = await start()
    const stream = await install(app, { ...rocky, network: 'office', pubkey: sshKey })
    const result = installResultOf(stream)
    const lease = app.sim.network.leases().find((entry) => entry.address === result.ip)
    expect(lease).toBeDefined()
    expect(result.ip).toMatch(/^127\.0\.2\.\d+$/)
    expect(stream.steps.at(-1)).toMatchObject({ ip: result.ip, vm_id: result.vmid })
    expect(stream.steps.map((step) => step.message)).toContain(
      `[*] waiting for SSH on ${result.ip}`,
    )
    const config = await app.cluster.vmConfig(result.node, result.vmid)
    expect(config.ipconfig0).toBe('ip=dhcp')
    expect(config.agent).toMatch(/^(1|enabled=1)/)
    expect(config.net0).toMatch(/bridge=vmbr1$/)
    // nothing is held for a DHCP network
    expect(rowsOf(app, 'office')).toEqual([])
    await expect
      .poll(() => listed(app, result.vmid), { timeout: 15_000 })
      .toMatchObject({ ip: result.ip, network: 'office' })

    // a start waits for SSH where the guest agent says the VM is (not the seed's VMID rule)
    expect((await fetch(`${app.url}/api/vm/${result.vmid}/stop`, { method: 'POST' })).status).toBe(
      200,
    )
    const released = app.sim.network.holdAgent(result.vmid)
    const started = await openStream(`${app.url}/api/vm/${result.vmid}/start`, { method: 'POST' })
    // the agent is late: the wait goes on while it does not answer, and no SSH is tried before
    await started.until((event) => event.data.message.includes('no address yet'))
    const early = started.events.map((event) => event.data.message).join('\n')
    expect(early).not.toContain('waiting for SSH')
    released()
    await started.ended
    const said = started.events.map((event) => event.data.message)
    expect(said).toContain(`[*] waiting for SSH on ${result.ip}`)
    expect(started.events.filter((event) => event.event !== 'close').at(-1)?.data).toMatchObject({
      status: 'success',
    })
  }, 60_000)
})

describe('a DHCP network and an image without the guest agent', () => {
  it('refuses debian and ubuntu before anything is made, for an install and for a dry run', async () => {
    const app = await start()
    const before = (await app.cluster.resources()).vms.map((vm) => vm.vmid)
    for (const release of [
      { os: 'debian', version: '12' },
      { os: 'ubuntu', version: '24.04' },
    ]) {
      const refused = await install(app, { ...release, network: 'office', pubkey: sshKey })
      expect(refused.status).toBe(400)
      const { message } = JSON.parse(refused.text ?? '{}') as { message?: string }
      expect(message).toMatch(/^network: network office gives the VM its IPv4 address by DHCP/)
      expect(message).toContain(
        `${release.os} ${release.version} cloud image has no qemu-guest-agent`,
      )
      const planned = await fetch(`${app.url}/api/vm/install`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...release, network: 'office', dry_run: true }),
      })
      expect(planned.status).toBe(400)
      expect(((await planned.json()) as { message?: string }).message).toBe(message)
    }
    expect((await app.cluster.resources()).vms.map((vm) => vm.vmid)).toEqual(before)
    expect(app.sim.network.leases()).toEqual([])
  })

  it('a SLAAC address beside a static IPv4 one is asked for after the first-boot script, which installs the agent', async () => {
    const app = await start()
    const stream = await install(app, { network: 'auto6', pubkey: sshKey })
    const result = installResultOf(stream)
    const v6 = result.addresses?.find((address) => address.includes(':'))
    expect(v6).toMatch(/^2001:db8:/)
    expect(result.addresses).toEqual([result.ip, v6])
    const messages = stream.steps.map((step) => step.message)
    const scriptEnd = messages.findIndex((message) => message.includes('first-boot setup finished'))
    const asked = messages.findIndex((message) => message.includes('asking the guest agent'))
    const sshWait = messages.indexOf(`[*] waiting for SSH on ${result.ip}`)
    expect(scriptEnd).toBeGreaterThan(sshWait)
    // nothing asked the agent before SSH: the first-boot script comes first
    expect(asked).toBeGreaterThan(scriptEnd)
    expect(messages).toContain(`[*] IPv6: ${v6 ?? ''}`)
  })
})

describe('a DHCP network through the other drivers', () => {
  for (const driver of ['cli', 'api']) {
    it(`learns the lease through the ${driver} driver (qm guest cmd / agent route) and checks bridges there`, async () => {
      const app = await start({ PVE_DRIVER: driver })
      const result = installResultOf(
        await install(app, { ...rocky, network: 'office', pubkey: sshKey }),
      )
      expect(app.sim.network.leases().map((lease) => lease.address)).toContain(result.ip)
      const refused = await install(app, { network: 'tagged-flat' })
      expect(refused.status).toBe(400)
      expect(refused.text).toContain('VLAN-aware')
    }, 90_000)
  }
})

describe('an IPv6 static pool', () => {
  it('writes ip6= and shows the IPv6 address in the events and the list; readiness goes over IPv4', async () => {
    const app = await start()
    const stream = await install(app, { network: 'dual', pubkey: sshKey })
    const result = installResultOf(stream)
    const v6 = result.addresses?.find((address) => address.includes(':'))
    expect(v6).toMatch(/^2001:db8:31::1[0-9a-f]{2}$/)
    expect(result.addresses).toEqual([result.ip, v6])
    const config = await app.cluster.vmConfig(result.node, result.vmid)
    expect(config.ipconfig0).toBe(
      `ip=${result.ip}/24,gw=127.31.0.1,ip6=${v6 ?? ''}/64,gw6=2001:db8:31::1`,
    )
    const messages = stream.steps.map((step) => step.message)
    expect(messages).toContain(`[*] IPv6: ${v6 ?? ''}`)
    expect(messages.join('\n')).not.toMatch(/SSH on 2001:/)
    await expect
      .poll(() => listed(app, result.vmid), { timeout: 10_000 })
      .toMatchObject({ ip: result.ip, addresses: [result.ip, v6], network: 'dual' })

    // a start waits for SSH on the IPv4 address, never on the documentation prefix
    expect((await fetch(`${app.url}/api/vm/${result.vmid}/stop`, { method: 'POST' })).status).toBe(
      200,
    )
    const started = await readSse(`${app.url}/api/vm/${result.vmid}/start`)
    const said = started.steps.map((step) => step.message)
    expect(said).toContain(`[*] waiting for SSH on ${result.ip}`)
    expect(said.join('\n')).not.toContain('2001:db8')
    expect(started.steps.at(-1)).toMatchObject({ status: 'success' })
  })
})

describe('templates and dry runs on a network', () => {
  it('a linked clone gets the NIC and addresses of its network, not those of the template', async () => {
    const app = await start({ TEMPLATES: 'auto' })
    const result = installResultOf(await install(app, { network: 'second', pubkey: sshKey }))
    const config = await app.cluster.vmConfig(result.node, result.vmid)
    expect(config.net0).toMatch(/bridge=vmbr1$/)
    expect(config.ipconfig0).toBe(`ip=${result.ip}/24,gw=127.34.0.1`)
  })

  it('a dry run shows the network and how the address is chosen, and holds nothing', async () => {
    const app = await start()
    const answer = await fetch(`${app.url}/api/vm/install`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ os: 'debian', version: '12', network: 'lan', dry_run: true }),
    })
    expect(answer.status).toBe(200)
    const plan = (await answer.json()) as Record<string, unknown>
    expect(plan).toMatchObject({ network: 'lan', vm_id: app.config.networks.vmidStart })
    // '' while the book has not yet read the cluster at start, the pool's first address after
    expect(['', '127.30.0.254']).toContain(plan.ip)
    expect(String(plan.addressing)).toContain('127.30.0.0/22')
    const asked = (await (
      await fetch(`${app.url}/api/vm/install`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          os: 'debian',
          version: '12',
          network: 'lan',
          ip: '127.30.1.9',
          dry_run: true,
        }),
      })
    ).json()) as Record<string, unknown>
    expect(asked).toMatchObject({ network: 'lan', ip: '127.30.1.9' })
    expect(app.store.addresses.rows()).toEqual([])
  })

  it("a dry run names the pool's next free address, which the next install then gets", async () => {
    const app = await start()
    const plan = async (): Promise<Record<string, unknown>> =>
      (await (
        await fetch(`${app.url}/api/vm/install`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ os: 'debian', version: '12', network: 'lan', dry_run: true }),
        })
      ).json()) as Record<string, unknown>
    // the first install waits for the book's read of the cluster; from then on a plan knows
    expect(installResultOf(await install(app, { network: 'lan', pubkey: sshKey })).ip).toBe(
      '127.30.0.254',
    )
    const first = await plan()
    expect(first).toMatchObject({ ip: '127.30.0.255' })
    expect(String(first.addressing)).toContain('127.30.0.255/22, the next free address')
    expect(await plan()).toEqual(first)
    expect(app.store.addresses.rows().map((row) => row.address)).toEqual(['127.30.0.254'])
    const second = installResultOf(await install(app, { network: 'lan', pubkey: sshKey }))
    expect(second.ip).toBe(first.ip)
  })
})

describe('bridges and VLANs', () => {
  it('tags net0 on a VLAN-aware bridge, with the MTU and firewall of the network', async () => {
    const app = await start()
    const result = installResultOf(await install(app, { network: 'tagged', pubkey: sshKey }))
    const config = await app.cluster.vmConfig(result.node, result.vmid)
    const options = (config.net0 ?? '').split(',')
    expect(options).toEqual(
      expect.arrayContaining(['bridge=vmbr0', 'tag=10', 'mtu=1400', 'firewall=1']),
    )
  })

  it('refuses a VLAN on a bridge that is not VLAN-aware before anything is made', async () => {
    const app = await start()
    const before = JSON.stringify(app.sim.snapshot().vms)
    const refused = await install(app, { network: 'tagged-flat' })
    expect(refused.status).toBe(400)
    const body = JSON.parse(refused.text ?? '{}') as { message: string }
    expect(body.message).toMatch(/^network: /)
    expect(body.message).toContain('VLAN-aware')
    expect(JSON.stringify(app.sim.snapshot().vms)).toBe(before)
    expect(app.store.addresses.rows()).toEqual([])
    expect([...app.store.reservations.reserved().keys()]).toEqual([])
  })

  it('refuses an install to a node without the bridge, and a migration there; nothing moves', async () => {
    const app = await start()
    app.sim.network.setBridges('pve3', [{ iface: 'vmbr0', vlanAware: true }])
    const before = JSON.stringify(app.sim.snapshot().vms)
    const refused = await install(app, { network: 'second', node: 'pve3' })
    expect(refused.status).toBe(400)
    expect(refused.text).toMatch(/network: .*pve3 has no bridge vmbr1/)
    expect(JSON.stringify(app.sim.snapshot().vms)).toBe(before)

    const result = installResultOf(await install(app, { network: 'second', pubkey: sshKey }))
    const moved = await fetch(`${app.url}/api/vm/${result.vmid}/set/node`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ node: 'pve3' }),
    })
    expect(moved.status).toBe(400)
    expect(await moved.text()).toMatch(/node pve3 has no bridge vmbr1.*nothing was moved/)
    expect((await listed(app, result.vmid))?.node).toBe(result.node)
    const vm = app.sim.snapshot().vms.find((entry) => entry.vmid === result.vmid)
    expect(vm?.node).toBe(result.node)
  })
})

const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNvbWVrZXlieXRlc2Zvcm15dGVzdHM test@host'
