import { afterEach, describe, expect, it } from 'vitest'

import { startSimRestFace, type SimRestFace } from '../../../../src/sim/faces/rest/index.js'
import type { Simulator } from '../../../../src/sim/index.js'
import { buildSim } from '../../helpers.js'
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
