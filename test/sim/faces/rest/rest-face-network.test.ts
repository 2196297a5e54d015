import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { startSimRestFace, type SimRestFace } from '../../../../src/sim/faces/rest/index.js'
import { qcow2Header, type Simulator } from '../../../../src/sim/index.js'
import { makeTempDir } from '../../../exec/temp-dir.js'
import { buildSim, runTask } from '../../helpers.js'
import { rawRequest, type RawAnswer } from './raw-https.js'

const admin = { id: 'root@pam!admin', secret: 'admin-secret' }
const auditor = { id: 'audit@pve!ro', secret: 'ro-secret', privileges: ['VM.Audit', 'Sys.Audit'] }

let sim: Simulator
let face: SimRestFace

afterEach(async () => {
  await face.close()
  await sim.close()
})

async function start(): Promise<void> {
  sim = await buildSim()
  face = await startSimRestFace({ sim, speed: 0, tokens: [admin, auditor] })
}

function api(method: string, path: string, token = admin): Promise<RawAnswer> {
  return rawRequest({
    method,
    url: `${face.url}/api2/json${path}`,
    ca: face.certificatePem,
    headers: { authorization: `PVEAPIToken=${token.id}=${token.secret}` },
  })
}

describe('simulator REST face: bridges and the guest agent', () => {
  it('answers the agent in the {"data":{"result":...}} envelope', async () => {
    await start()
    expect((await api('POST', '/nodes/pve1/qemu/100/agent/ping')).json).toEqual({
      data: { result: {} },
    })
    const nics = await api('GET', '/nodes/pve1/qemu/100/agent/network-get-interfaces')
    expect(nics.json).toMatchObject({
      data: { result: [{ name: 'lo' }, { name: 'eth0' }] },
    })
    const stopped = await api('GET', '/nodes/pve2/qemu/101/agent/network-get-interfaces')
    expect(stopped).toMatchObject({ status: 500, reason: 'VM 101 is not running' })
  })

  it("refuses the agent of a VM whose disk came from a Debian cloud image with PVE's words", async () => {
    await start()
    const temp = makeTempDir()
    try {
      const image = join(temp.dir, 'debian-12-genericcloud-amd64.qcow2')
      writeFileSync(image, qcow2Header(3 * 1024 ** 3))
      const created = await runTask(sim, 'POST', '/nodes/pve1/qemu', {
        vmid: 350,
        agent: '1',
        scsi0: `local-lvm:0,import-from=${image}`,
        start: 1,
      })
      expect(created.exitstatus).toBe('OK')
    } finally {
      temp.remove()
    }
    const ping = await api('POST', '/nodes/pve1/qemu/350/agent/ping')
    expect(ping).toMatchObject({ status: 500, reason: 'QEMU guest agent is not running' })
    const nics = await api('GET', '/nodes/pve1/qemu/350/agent/network-get-interfaces')
    expect(nics).toMatchObject({ status: 500, reason: 'QEMU guest agent is not running' })
    // the demo VM next to it, on a disk the simulator knows nothing about, answers
    expect((await api('POST', '/nodes/pve1/qemu/100/agent/ping')).status).toBe(200)
  })

  it('lists bridges with ?type=any_bridge, hides them from a token without SDN.Audit', async () => {
    await start()
    const bridges = await api('GET', '/nodes/pve2/network?type=any_bridge')
    expect(bridges.json).toMatchObject({
      data: [
        { iface: 'vmbr0', type: 'bridge', bridge_vlan_aware: 1 },
        { iface: 'vmbr1', type: 'bridge' },
      ],
    })
    expect((await api('GET', '/nodes/pve2/network?type=any_bridge', auditor)).json).toEqual({
      data: [],
    })
    const agent = await api('POST', '/nodes/pve1/qemu/100/agent/ping', auditor)
    expect(agent).toMatchObject({
      status: 403,
      reason: 'Permission check failed (/vms/100, VM.GuestAgent.Audit)',
    })
  })
})
