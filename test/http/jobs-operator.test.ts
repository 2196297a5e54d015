import { afterEach, describe, expect, it } from 'vitest'
import { resolveJob } from '../../src/http/routes/job-routes.js'
import type { JobRecord } from '../../src/jobs/index.js'
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js'
import { readSse, type SseRead } from '../helpers/sse-client.js'
import { openStream } from '../jobs/helpers/live-stream.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const alice = 'alice-token-0123456789abcdef'
const bob = 'bob-token-0123456789abcdefgh'
const as = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(url, { headers })
  const text = await response.text()
  const body: unknown = JSON.parse(text)
  return { status: response.status, body: body as Record<string, unknown>, text }
}

const passwordOf = (read: SseRead): string | undefined =>
  read.steps
    .map((step) => /^\[\*\] Password: (\w{20})$/.exec(step.message)?.[1])
    .find((value) => value !== undefined)

describe('a generated password (issue 15.1, 12.6)', () => {
  it('goes only to the stream that started the install, and once to its owner from /credentials', async () => {
    t = await buildTestApp({ env: { API_TOKENS: `alice:${alice},bob:${bob}` } })
    const { url } = t
    const key = { 'idempotency-key': 'deploy-secret-key-42' }
    const started = await readSse(`${url}/api/vm/install`, {
      body: { os: 'debian', version: '12' },
      headers: { ...as(alice), ...key },
    })
    const jobId = started.headers.get('x-job-id') ?? ''
    const password = passwordOf(started)
    expect(password).toMatch(/^\w{20}$/)

    // a second client attaching, or joining through the same key, never sees it
    const attached = await readSse(`${url}/api/jobs/${jobId}/events`, {
      method: 'GET',
      headers: as(alice),
    })
    const joined = await readSse(`${url}/api/vm/install`, {
      body: { os: 'debian', version: '12' },
      headers: { ...as(alice), ...key },
    })
    expect(joined.headers.get('x-job-id')).toBe(jobId)
    for (const other of [attached, joined]) {
      expect(passwordOf(other)).toBeUndefined()
      expect(JSON.stringify(other.events)).not.toContain(password)
      expect(
        other.steps.some((step) => step.message.includes(`pve-qemu credentials ${jobId}`)),
      ).toBe(true)
    }

    // the jobs API never lists idempotency keys
    const listed = await getJson(`${url}/api/jobs`, as(alice))
    expect(listed.text).not.toContain('deploy-secret-key-42')
    expect(listed.text).not.toContain('idempotency')

    // another token may not read it; the owner reads it once, by a prefix of the id too
    const credentials = `${url}/api/jobs/${jobId.slice(0, 8)}/credentials`
    const refused = await getJson(credentials, as(bob))
    expect(refused).toMatchObject({ status: 403, body: { code: 'CREDENTIALS_NOT_YOURS' } })
    const port = t.config.install.guestSshPort
    const taken = await getJson(credentials, as(alice))
    expect(taken.status).toBe(200)
    expect(taken.body).toEqual({
      success: true,
      credentials: {
        password,
        vmid: 103,
        ip: '127.0.0.103',
        user: 'debian',
        ssh: `ssh -p ${port} debian@127.0.0.103`,
      },
    })
    const again = await getJson(credentials, as(alice))
    expect(again).toMatchObject({ status: 410, body: { code: 'CREDENTIALS_TAKEN' } })
    expect(again.text).not.toContain(password)
  })

  it('is not kept for an install given a key; anyone may read it when tokens are off', async () => {
    t = await buildTestApp()
    const { url } = t
    const pubkey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNvbWVrZXlieXRlc2Zvcm15dGVzdHM test@host'
    const keyed = await readSse(`${url}/api/vm/install`, {
      body: { os: 'debian', version: '12', pubkey },
    })
    const keyedId = keyed.headers.get('x-job-id') ?? ''
    const none = await getJson(`${url}/api/jobs/${keyedId}/credentials`)
    expect(none).toMatchObject({ status: 404, body: { code: 'CREDENTIALS_NONE' } })

    const generated = await readSse(`${url}/api/vm/install`, {
      body: { os: 'ubuntu', version: '24.04' },
    })
    const id = generated.headers.get('x-job-id') ?? ''
    const read = await getJson(`${url}/api/jobs/${id}/credentials`)
    expect(read.body).toMatchObject({ credentials: { password: passwordOf(generated) } })
  })
})

describe('events a program can read (issue 15.4)', () => {
  it('carry stage and stages, and the last install event a result object, live and replayed', async () => {
    t = await buildTestApp()
    const { url } = t
    const live = await readSse(`${url}/api/vm/install`, {
      body: { os: 'debian', version: '12', user: 'deploy', node: 'pve2' },
    })
    const jobId = live.headers.get('x-job-id') ?? ''
    const replay = await readSse(`${url}/api/jobs/${jobId}/events`, { method: 'GET' })
    for (const read of [live, replay]) {
      const data = read.events
        .filter((event) => event.event !== 'close')
        .map((event) => event.data as Record<string, unknown>)
      expect(data.every((event) => event.stages === 18)).toBe(true)
      const stages = data.map((event) => Number(event.stage))
      expect(stages[0]).toBe(1)
      expect(stages.at(-1)).toBe(18)
      // stages only go forward
      expect(stages.every((stage, index) => index === 0 || stage >= (stages[index - 1] ?? 0))).toBe(
        true,
      )
      expect(data.find((event) => event.step === 'VM creation > creating VM')?.stage).toBe(11)
      const last = data.at(-1)
      expect(last).toMatchObject({ step: 'VM initialization > finalizing', vm_id: 103 })
      expect(last?.result).toEqual({
        vmid: 103,
        ip: '127.0.0.103',
        node: 'pve2',
        user: 'deploy',
        ssh: `ssh -p ${t.config.install.guestSshPort} deploy@127.0.0.103`,
      })
    }
    // a start job counts its own stages
    const started = await readSse(`${url}/api/vm/101/start`)
    const steps = started.events
      .filter((event) => event.event !== 'close')
      .map((event) => event.data as { stage: number; stages: number })
    expect(steps.every((event) => event.stages === 3 && event.stage >= 1)).toBe(true)
  })

  it('report a download with bytes and total', async () => {
    // slow enough that the download reports its progress
    t = await buildTestApp({ env: { SIM_SPEED: '0.05' } })
    const live = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'rockylinux', version: '9' },
    })
    const downloads = live.events
      .map((event) => event.data as Record<string, unknown>)
      .filter((event) => event.bytes !== undefined)
    expect(downloads.length).toBeGreaterThan(0)
    for (const event of downloads) {
      expect(event.step).toBe('OS preparation > downloading OS image')
      expect(event.bytes).toBeGreaterThan(0)
      if (event.total !== undefined)
        expect(Number(event.total)).toBeGreaterThanOrEqual(Number(event.bytes))
    }
  })
})

describe('job ids (issue 15.4)', () => {
  const job = (id: string): JobRecord => ({
    id,
    type: 'install',
    state: 'succeeded',
    createdAt: '2026-01-01T00:00:00.000Z',
  })
  const jobs = [job('3f2a1111-aaaa'), job('3f2b2222-bbbb'), job('9c003333-cccc')]
  const runner = {
    get: (id: string) => jobs.find((entry) => entry.id === id),
    list: () => jobs,
  }

  it('accept a unique prefix, as git does, and name the candidates of an ambiguous one', () => {
    expect(resolveJob(runner, '9c00')).toMatchObject({ kind: 'one', job: { id: '9c003333-cccc' } })
    expect(resolveJob(runner, '3F2B')).toMatchObject({ kind: 'one', job: { id: '3f2b2222-bbbb' } })
    expect(resolveJob(runner, '3f2a1111-aaaa')).toMatchObject({ kind: 'one' })
    expect(resolveJob(runner, '3f2')).toEqual({ kind: 'none' })
    expect(resolveJob(runner, '3f2a')).toMatchObject({ kind: 'one' })
    jobs.push(job('3f2a9999-dddd'))
    expect(resolveJob(runner, '3f2a')).toEqual({
      kind: 'several',
      ids: ['3f2a1111-aaaa', '3f2a9999-dddd'],
    })
  })
})

describe('the VM list and info (issue 15.2, 15.3, 15.5, 15.7)', () => {
  it('gives each VM its IP without one Proxmox read per VM per list, and info the rest', async () => {
    t = await buildTestApp({ env: { PVE_DRIVER: 'cli', GATEWAY: '127.0.5.1' } })
    const { url } = t
    const counter = t.commandCounter
    const configReads = (): number =>
      Object.entries(counter?.snapshot() ?? {})
        .filter(([command]) => command.startsWith('pvesh get') || command.startsWith('qm config'))
        .reduce((sum, [, count]) => sum + count, 0)
    const ipsOf = async (): Promise<(string | undefined)[]> => {
      const list = await getJson(`${url}/api/vm/list`)
      const vms = list.body.vms as { ip?: string }[]
      return vms.map((vm) => vm.ip)
    }
    // the demo guests follow GATEWAY
    await expect
      .poll(ipsOf, { timeout: 20_000 })
      .toEqual(['127.0.5.100', '127.0.5.101', '127.0.5.102'])
    const before = configReads()
    for (let index = 0; index < 5; index += 1) await ipsOf()
    // five lists: only the shared resource reads, not a config read per VM per list
    expect(configReads() - before).toBeLessThanOrEqual(5)

    const info = await getJson(`${url}/api/vm/100/info`)
    expect(info.status).toBe(200)
    const vm = info.body.vm as Record<string, unknown>
    expect(vm).toMatchObject({
      vmid: 100,
      node: 'pve1',
      status: 'running',
      ip: '127.0.5.100',
      user: 'debian',
      ssh: `ssh -p ${t.config.install.guestSshPort} debian@127.0.5.100`,
    })
    expect(Number(vm.uptime)).toBeGreaterThan(0)
    expect(vm.config).toMatchObject({ cores: '2', ciuser: 'debian' })
    expect(JSON.stringify(vm.config)).not.toContain('cipassword')
    expect((await getJson(`${url}/api/vm/999/info`)).status).toBe(404)
  })

  it('marks a VM being installed with its job and stage', async () => {
    // the install stays in 'waiting for ready': its VM's SSH never answers
    t = await buildTestApp()
    t.simGuests.faults.neverAnswer(103)
    const stream = await openStream(`${t.url}/api/vm/install`, {
      method: 'POST',
      body: { os: 'debian', version: '12' },
    })
    const jobId = stream.headers.get('x-job-id') ?? ''
    await stream.until((event) => event.data.step === 'VM initialization > waiting for ready')
    const listed = async (): Promise<unknown> => {
      const list = await getJson(`${t?.url ?? ''}/api/vm/list`)
      return (list.body.vms as { vmid: number; installing?: unknown }[]).find(
        (vm) => vm.vmid === 103,
      )?.installing
    }
    await expect
      .poll(listed, { timeout: 10_000 })
      .toEqual({ job_id: jobId, stage: 'VM initialization > waiting for ready' })
    const others = (await getJson(`${t.url}/api/vm/list`)).body.vms as { installing?: unknown }[]
    expect(others.filter((vm) => vm.installing !== undefined)).toHaveLength(1)
    await fetch(`${t.url}/api/jobs/${jobId}/cancel`, { method: 'POST' })
    await stream.ended
  })

  it('tells the truth right after an action, though Proxmox lists the old state for 10 s', async () => {
    // real timings: pvestatd pushes every 10 s, a stop takes 1 s
    t = await buildTestApp({ env: { SIM_SPEED: '1' } })
    const { url } = t
    const state = async (vmid: number): Promise<unknown> => {
      const list = await getJson(`${url}/api/vm/list`)
      const vm = (list.body.vms as { vmid: number; running: boolean }[]).find(
        (entry) => entry.vmid === vmid,
      )
      return vm === undefined ? 'gone' : vm.running
    }
    expect(await state(100)).toBe(true)
    expect((await fetch(`${url}/api/vm/100/stop`, { method: 'POST' })).status).toBe(200)
    expect(await state(100)).toBe(false)
    expect((await fetch(`${url}/api/vm/101/destroy`, { method: 'POST' })).status).toBe(200)
    expect(await state(101)).toBe('gone')
    // every action is in the job history, quick ones too
    const history = await getJson(`${url}/api/jobs`)
    expect(history.body.jobs).toMatchObject([
      { type: 'destroy', vmid: 101, state: 'succeeded' },
      { type: 'stop', vmid: 100, state: 'succeeded' },
    ])
  }, 30_000)

  it('records a refused change as a failed job and still answers its status', async () => {
    t = await buildTestApp()
    const { url } = t
    const response = await fetch(`${url}/api/vm/101/set/cpu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cpu: 4 }),
    })
    expect(response.status).toBe(200)
    const stop = await fetch(`${url}/api/vm/101/stop`, { method: 'POST' })
    expect(stop.status).toBe(409)
    const history = await getJson(`${url}/api/jobs`)
    expect(history.body.jobs).toMatchObject([
      { type: 'stop', vmid: 101, state: 'failed', error: 'VM 101 is not running' },
      { type: 'configure', vmid: 101, state: 'succeeded', summary: 'cpu 4' },
    ])
  })
})
