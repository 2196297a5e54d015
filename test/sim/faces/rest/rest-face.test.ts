import { X509Certificate } from 'node:crypto'

import { afterEach, describe, expect, it, vi } from 'vitest'

import { startSimRestFace, type SimRestFace } from '../../../../src/sim/faces/rest/index.js'
import type { Simulator } from '../../../../src/sim/index.js'
import { buildSim, UPID_PATTERN } from '../../helpers.js'
import { rawRequest, type RawAnswer } from './raw-https.js'

const admin = { id: 'root@pam!admin', secret: 'admin-secret' }
const auditor = { id: 'audit@pve!ro', secret: 'ro-secret', privileges: ['VM.Audit', 'Sys.Audit'] }
const networkOnly = {
  id: 'net@pve!tk',
  secret: 'n',
  privileges: ['VM.Allocate', 'VM.Config.Network'],
}
const cloudinitOnly = {
  id: 'ci@pve!tk',
  secret: 'c',
  privileges: ['VM.Allocate', 'VM.Config.Cloudinit'],
}
const allocateOnly = { id: 'alloc@pve!tk', secret: 'a', privileges: ['VM.Allocate'] }

let sim: Simulator
let face: SimRestFace

async function start(speed = 0): Promise<void> {
  sim = await buildSim()
  face = await startSimRestFace({
    sim,
    speed,
    tokens: [admin, auditor, networkOnly, cloudinitOnly, allocateOnly],
  })
}

afterEach(async () => {
  vi.useRealTimers()
  await face.close()
  await sim.close()
})

function api(
  method: string,
  path: string,
  options: { token?: { id: string; secret: string } | null; type?: string; body?: string } = {},
): Promise<RawAnswer> {
  const token = options.token === undefined ? admin : options.token
  const headers: Record<string, string> = {}
  if (token !== null) headers.authorization = `PVEAPIToken=${token.id}=${token.secret}`
  if (options.type !== undefined) headers['content-type'] = options.type
  return rawRequest({
    method,
    url: `${face.url}/api2/json${path}`,
    ca: face.certificatePem,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
  })
}

describe('simulator REST face', () => {
  it('serves HTTPS on loopback with a certificate made at start, for this host', async () => {
    await start()
    expect(face.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const cert = new X509Certificate(face.certificatePem)
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(cert.fingerprint256).toBe(face.fingerprint256)
    expect(face.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
  })

  it('answers in the {"data": ...} envelope, task logs with their total', async () => {
    await start()
    const nextid = await api('GET', '/cluster/nextid')
    expect(nextid).toMatchObject({ status: 200, json: { data: '103' } })
    expect(nextid.type).toBe('application/json;charset=UTF-8')
    const started = await api('POST', '/nodes/pve2/qemu/101/status/start')
    const upid = (started.json as { data: string }).data
    expect(upid).toMatch(UPID_PATTERN)
    expect(upid).toMatch(/:qmstart:101:root@pam!admin:$/)
    await sim.followTask(upid)
    const log = await api('GET', `/nodes/pve2/tasks/${encodeURIComponent(upid)}/log`)
    expect(log.json).toMatchObject({ total: 2, data: [{ n: 1 }, { n: 2, t: 'TASK OK' }] })
  })

  it('takes form bodies with booleans as 0/1 only, and JSON bodies with true/false', async () => {
    await start()
    const form = await api('PUT', '/nodes/pve1/qemu/100/config', {
      type: 'application/x-www-form-urlencoded',
      body: 'onboot=true',
    })
    expect(form).toMatchObject({
      status: 400,
      reason: 'Parameter verification failed.',
      json: {
        data: null,
        errors: { onboot: "type check ('boolean') failed - got 'true'" },
        message: 'Parameter verification failed.\n',
      },
    })
    const json = await api('PUT', '/nodes/pve1/qemu/100/config', {
      type: 'application/json',
      body: JSON.stringify({ onboot: true, cores: 2 }),
    })
    expect(json).toMatchObject({ status: 200, json: { data: null } })
    const config = await api('GET', '/nodes/pve1/qemu/100/config')
    expect(config.json).toMatchObject({ data: { onboot: 1, cores: 2 } })
  })

  it('words failures as the core does, in the reason phrase and the body', async () => {
    await start()
    const missing = await api('GET', '/nodes/pve1/qemu/999/status/current')
    expect(missing).toMatchObject({
      status: 500,
      reason: "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist",
      json: {
        data: null,
        message: "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist\n",
      },
    })
    const unknown = await api('GET', '/nodes/pve1/nothing')
    expect(unknown).toMatchObject({
      status: 501,
      reason: "Method 'GET /nodes/pve1/nothing' not implemented",
    })
    const deleteWithBody = await api('DELETE', '/nodes/pve1/qemu/101', {
      type: 'application/x-www-form-urlencoded',
      body: 'purge=1',
    })
    expect(deleteWithBody).toMatchObject({
      status: 501,
      reason: "Unexpected content for method 'DELETE'",
    })
  })

  it('refuses requests without a valid token with an empty 401', async () => {
    await start()
    const none = await api('GET', '/cluster/resources', { token: null })
    expect(none).toMatchObject({ status: 401, reason: 'No ticket', text: '' })
    const wrong = await api('GET', '/cluster/resources', {
      token: { id: admin.id, secret: 'guess' },
    })
    expect(wrong).toMatchObject({ status: 401, reason: 'Authentication failed!', text: '' })
    const unknown = await api('GET', '/cluster/resources', {
      token: { id: 'nobody@pve!x', secret: admin.secret },
    })
    expect(unknown.status).toBe(401)
  })

  it('delays every 401 by 3 s scaled by SIM_SPEED', async () => {
    await start(0.5)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    let answered = false
    const pending = api('GET', '/cluster/resources', { token: null }).then((answer) => {
      answered = true
      return answer
    })
    while (vi.getTimerCount() === 0) await new Promise((resolve) => setImmediate(resolve))
    await vi.advanceTimersByTimeAsync(1499)
    expect(answered).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect((await pending).status).toBe(401)
  })

  it("limits a token to its privileges, with PVE's 403 wording", async () => {
    await start()
    const read = await api('GET', '/nodes/pve1/qemu/100/status/current', { token: auditor })
    expect(read.status).toBe(200)
    const stop = await api('POST', '/nodes/pve1/qemu/100/status/stop', { token: auditor })
    expect(stop).toMatchObject({
      status: 403,
      reason: 'Permission check failed (/vms/100, VM.PowerMgmt)',
      json: { data: null, message: 'Permission check failed (/vms/100, VM.PowerMgmt)\n' },
    })
  })

  it('tells a token its own permissions', async () => {
    await start()
    const own = await api('GET', '/access/permissions', { token: auditor })
    expect(own.json).toEqual({ data: { '/': { 'Sys.Audit': 1, 'VM.Audit': 1 } } })
    const atPath = await api('GET', '/access/permissions?path=/vms/100', { token: auditor })
    expect(atPath.json).toEqual({ data: { '/vms/100': { 'Sys.Audit': 1, 'VM.Audit': 1 } } })
    const full = await api('GET', '/access/permissions')
    expect(Object.keys((full.json as { data: Record<string, object> }).data['/'] ?? {})).toContain(
      'Datastore.AllocateTemplate',
    )
  })

  it('lets a token set ciupgrade with VM.Config.Network or VM.Config.Cloudinit', async () => {
    await start()
    const form = 'application/x-www-form-urlencoded'
    for (const [token, vmid] of [
      [networkOnly, 900],
      [cloudinitOnly, 901],
    ] as const) {
      const answer = await api('POST', '/nodes/pve1/qemu', {
        token,
        type: form,
        body: `vmid=${vmid}&ciupgrade=0`,
      })
      expect(answer.status).toBe(200)
      await sim.followTask((answer.json as { data: string }).data)
    }
    expect(
      sim
        .snapshot()
        .vms.filter((vm) => vm.vmid >= 900)
        .map((vm) => vm.config.ciupgrade),
    ).toEqual(['0', '0'])
    const without = await api('POST', '/nodes/pve1/qemu', {
      token: allocateOnly,
      type: form,
      body: 'vmid=902&ciupgrade=0',
    })
    expect(without).toMatchObject({
      status: 403,
      reason: 'Permission check failed (/vms/902, VM.Config.Cloudinit|VM.Config.Network)',
    })
  })

  it('lets no token set root-only options such as args', async () => {
    await start()
    const answer = await api('POST', '/nodes/pve1/qemu', {
      type: 'application/x-www-form-urlencoded',
      body: 'vmid=900&args=-no-reboot',
    })
    expect(answer).toMatchObject({ status: 500, reason: "only root can set 'args' config" })
    expect(sim.snapshot().vms.some((vm) => vm.vmid === 900)).toBe(false)
  })

  it('needs VM.Config.CDROM besides Cloudinit only to change a cloud-init drive later', async () => {
    await start()
    const form = 'application/x-www-form-urlencoded'
    const created = await api('POST', '/nodes/pve1/qemu', {
      token: cloudinitOnly,
      type: form,
      body: 'vmid=903&scsi1=local-lvm:cloudinit',
    })
    expect(created.status).toBe(200)
    await sim.followTask((created.json as { data: string }).data)
    const changed = await api('PUT', '/nodes/pve1/qemu/903/config', {
      token: cloudinitOnly,
      type: form,
      body: 'ide2=local-lvm:cloudinit',
    })
    expect(changed).toMatchObject({
      status: 403,
      reason: 'Permission check failed (/vms/903, VM.Config.CDROM)',
    })
  })

  it('injects faults for retry tests: statuses and cut connections', async () => {
    await start()
    face.injectFaults(
      { kind: 'status', status: 596, message: 'Connection timed out' },
      { kind: 'reset' },
    )
    const first = await api('GET', '/cluster/nextid')
    expect(first).toMatchObject({ status: 596, reason: 'Connection timed out' })
    await expect(api('GET', '/cluster/nextid')).rejects.toThrow(/socket hang up|ECONNRESET/)
    expect((await api('GET', '/cluster/nextid')).status).toBe(200)
    expect(face.requestCount()).toBe(1)
  })
})
