import { describe, expect, it } from 'vitest'
import type { TestApp } from '../helpers/build-test-app.js'
import { networkApps } from '../helpers/network-apps.js'
import { installResultOf } from '../helpers/install-result.js'
import { readSse, type SseRead } from '../helpers/sse-client.js'

/**
 * GUEST_AGENT_VENDOR_DATA: a DHCP install of an OS whose image has no qemu-guest-agent (Debian,
 * Ubuntu) gets `cicustom: vendor=<snippet>`, and cloud-init installs the agent at first boot, so
 * the lease can be learnt before SSH. The simulator's Debian disks have no agent: only the
 * snippet makes it answer.
 */
const networksFile = {
  networks: [
    { name: 'office', bridge: 'vmbr1', mode: 'dhcp' },
    {
      name: 'lan',
      bridge: 'vmbr0',
      mode: 'static',
      cidr: '127.36.0.0/24',
      gateway: '127.36.0.1',
      pool: '127.36.0.10-127.36.0.30',
    },
  ],
}

const volid = 'local:snippets/pve-qemu-agent.yaml'
const agentSnippet = [
  '#cloud-config',
  'packages: [qemu-guest-agent]',
  'runcmd: [[systemctl, start, qemu-guest-agent]]',
  '',
].join('\n')
const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNvbWVrZXlieXRlc2Zvcm15dGVzdHM test@host'
/** `local`'s content types without `snippets`, as on a fresh PVE install */
const freshLocal = ['backup', 'import', 'iso', 'vztmpl']

const { start } = networkApps(networksFile, { GUEST_AGENT_VENDOR_DATA: volid })

const install = (app: TestApp, body: Record<string, unknown>): Promise<SseRead> =>
  readSse(`${app.url}/api/vm/install`, {
    body: { os: 'debian', version: '12', pubkey: sshKey, ...body },
  })

const dryRun = async (
  app: TestApp,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> => {
  const answer = await fetch(`${app.url}/api/vm/install`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ os: 'debian', version: '12', ...body, dry_run: true }),
  })
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> }
}

const vmids = async (app: TestApp): Promise<number[]> =>
  (await app.cluster.resources()).vms.map((vm) => vm.vmid).sort((a, b) => a - b)

/** A Debian 12 DHCP install with the snippet in place: the VM has it, the agent told the lease. */
async function expectSnippetInstall(app: TestApp, body: Record<string, unknown> = {}) {
  const stream = await install(app, { network: 'office', ...body })
  const result = installResultOf(stream)
  const config = await app.cluster.vmConfig(result.node, result.vmid)
  expect(config.cicustom).toBe(`vendor=${volid}`)
  expect(config.ipconfig0).toBe('ip=dhcp')
  expect(app.sim.network.leases().map((lease) => lease.address)).toContain(result.ip)
  expect(result.ip).toMatch(/^127\.0\.2\.\d+$/)
  expect(stream.steps.map((step) => step.message)).toContain(`[*] waiting for SSH on ${result.ip}`)
  return { stream, result, config }
}

describe('a Debian install on a DHCP network with GUEST_AGENT_VENDOR_DATA', () => {
  it('sets cicustom vendor= and learns the lease from the agent the snippet installs', async () => {
    const app = await start()
    app.sim.storage.writeSnippet('pve1', 'local', 'pve-qemu-agent.yaml', agentSnippet)
    await expectSnippetInstall(app)
  })

  it('only the snippet makes the agent answer: one that does not install it times the install out', async () => {
    const app = await start({ GUEST_SSH_TIMEOUT: '5' })
    app.sim.storage.writeSnippet('pve1', 'local', 'pve-qemu-agent.yaml', '#cloud-config\n')
    const before = await vmids(app)
    const stream = await install(app, { network: 'office' })
    const failed = stream.steps.find((step) => step.status === 'error')
    expect(failed?.step).toBe('VM initialization > waiting for ready')
    expect(failed?.message).toContain('QEMU guest agent is not running')
    expect(await vmids(app)).toEqual(before)
  }, 60_000)

  it('sets it on a linked clone too, and never on the template', async () => {
    const app = await start({ TEMPLATES: 'auto' })
    app.sim.storage.writeSnippet('pve1', 'local', 'pve-qemu-agent.yaml', agentSnippet)
    const { stream } = await expectSnippetInstall(app)
    expect(stream.steps.map((step) => step.message).join('\n')).toMatch(/linked clone/)
    const templates = app.sim.snapshot().vms.filter((vm) => vm.config.template === '1')
    expect(templates.length).toBe(1)
    expect(templates[0]?.config).not.toHaveProperty('cicustom')
  })

  it('checks the node the VM starts on: the target node of the install', async () => {
    const app = await start()
    app.sim.storage.setContent('pve2', 'local', freshLocal)
    app.sim.storage.writeSnippet('pve1', 'local', 'pve-qemu-agent.yaml', agentSnippet)
    app.sim.storage.writeSnippet('pve3', 'local', 'pve-qemu-agent.yaml', agentSnippet)
    const before = await vmids(app)
    const refused = await install(app, { network: 'office', node: 'pve2' })
    expect(refused.status).toBe(400)
    const { message } = JSON.parse(refused.text ?? '{}') as { message?: string }
    expect(message).toMatch(/^network: /)
    expect(message).toContain(
      'storage local on pve2 has no snippets content type: pvesm set local --content backup,import,iso,vztmpl,snippets',
    )
    expect(await vmids(app)).toEqual(before)
    // made on pve1, moved to pve3 and started there, where the snippet is
    const { result } = await expectSnippetInstall(app, { node: 'pve3' })
    expect(result.node).toBe('pve3')
  })

  it('refuses before anything is made when the storage has no snippets content type, dry run too', async () => {
    const app = await start()
    app.sim.storage.setContent('pve1', 'local', freshLocal)
    const before = await vmids(app)
    const refused = await install(app, { network: 'office' })
    expect(refused.status).toBe(400)
    const { message } = JSON.parse(refused.text ?? '{}') as { message?: string }
    expect(message).toBe(
      `network: network office leaves the VM's IPv4 address to DHCP, and its guest agent comes from the vendor snippet ${volid} (GUEST_AGENT_VENDOR_DATA), but storage local on pve1 has no snippets content type: pvesm set local --content backup,import,iso,vztmpl,snippets`,
    )
    const planned = await dryRun(app, { network: 'office' })
    expect(planned).toMatchObject({ status: 400, body: { message } })
    expect(await vmids(app)).toEqual(before)
    expect(app.sim.network.leases()).toEqual([])
    expect(app.store.reservations.reserved().size).toBe(0)
  })

  it('names a storage the node lacks', async () => {
    const app = await start({ GUEST_AGENT_VENDOR_DATA: 'nas:snippets/agent.yaml' })
    const refused = await install(app, { network: 'office' })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain('storage nas does not exist on pve1')
  })

  it('fails at waiting for ready when the file is missing (Proxmox refuses the start), and removes the VM', async () => {
    const app = await start()
    const before = await vmids(app)
    const stream = await install(app, { network: 'office' })
    const failed = stream.steps.find((step) => step.status === 'error')
    expect(failed?.step).toBe('VM initialization > waiting for ready')
    expect(failed?.message).toContain(`can't find file '${volid}'`)
    expect(failed?.message).toMatch(/cleaned up: VM \d+ and its disks removed/)
    expect(await vmids(app)).toEqual(before)
    expect(app.store.reservations.reserved().size).toBe(0)
  })

  it('sets no cicustom on a static network, nor for Rocky on DHCP', async () => {
    const app = await start()
    const stat = installResultOf(await install(app, { network: 'lan' }))
    expect(await app.cluster.vmConfig(stat.node, stat.vmid)).not.toHaveProperty('cicustom')
    const rocky = installResultOf(
      await install(app, { os: 'rockylinux', version: '9', network: 'office' }),
    )
    expect(await app.cluster.vmConfig(rocky.node, rocky.vmid)).not.toHaveProperty('cicustom')
  })
})

describe('without GUEST_AGENT_VENDOR_DATA', () => {
  it('the 400 names the variable as the other way', async () => {
    const app = await start({ GUEST_AGENT_VENDOR_DATA: '' })
    const refused = await install(app, { network: 'office' })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain(
      'or set GUEST_AGENT_VENDOR_DATA to a cloud-init vendor snippet that installs qemu-guest-agent (README: A guest agent for Debian and Ubuntu on DHCP)',
    )
  })
})

describe('the dry run', () => {
  it('plans the cicustom in the qm create line (cli driver) and says where the agent comes from', async () => {
    const app = await start({ PVE_DRIVER: 'cli' })
    const plan = await dryRun(app, { network: 'office' })
    expect(plan.status).toBe(200)
    const commands = plan.body.commands as string[]
    const create = commands.find((line) => line.startsWith('qm create '))
    expect(create).toContain(`--cicustom vendor=${volid}`)
    expect(String(plan.body.addressing)).toContain(`from the vendor snippet ${volid}`)
    const stat = await dryRun(app, { network: 'lan' })
    expect((stat.body.commands as string[]).join('\n')).not.toContain('cicustom')
  })
})

describe('through the other drivers', () => {
  for (const driver of ['cli', 'api']) {
    it(`installs Debian on DHCP with the snippet through the ${driver} driver`, async () => {
      const app = await start({ PVE_DRIVER: driver })
      app.sim.storage.writeSnippet('pve1', 'local', 'pve-qemu-agent.yaml', agentSnippet)
      await expectSnippetInstall(app)
    }, 60_000)
  }
})

describe('a VM that reads a snippet at every start', () => {
  it('is not moved to a node whose storage holds no snippets; it moves where one does', async () => {
    const app = await start()
    app.sim.storage.writeSnippet('pve1', 'local', 'pve-qemu-agent.yaml', agentSnippet)
    const { result } = await expectSnippetInstall(app)
    app.sim.storage.setContent('pve2', 'local', freshLocal)
    const move = (node: string): Promise<Response> =>
      fetch(`${app.url}/api/vm/${result.vmid}/set/node`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ node }),
      })
    const refused = await move('pve2')
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain(
      `node: node pve2 has no enabled storage local with snippets, and VM ${result.vmid}'s cloud-init reads ${volid} (cicustom) at every start; nothing was moved`,
    )
    expect(app.sim.snapshot().vms.find((vm) => vm.vmid === result.vmid)?.node).toBe(result.node)
    // pve3 keeps `local` with snippets: the move is allowed (the file is the admin's to copy)
    const allowed = await move('pve3')
    expect(allowed.status).toBe(200)
  })
})
