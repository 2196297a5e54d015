import { randomUUID } from 'node:crypto'

import { afterEach, describe, expect, it } from 'vitest'

import {
  connectApiDriver,
  privilegeList,
  requiredPrivileges,
} from '../../../../src/pve/drivers/api/index.js'
import { startSimRestFace, type SimRestFace } from '../../../../src/sim/faces/rest/index.js'
import { createSimulator, type Simulator } from '../../../../src/sim/index.js'
import { expectPveError } from '../cli/cluster-contract.js'
import { documentedPrivileges, startHttpsTarget } from './https-target.js'

interface Warning {
  object: object
  message: string
}

let sim: Simulator | undefined
let face: SimRestFace | undefined
afterEach(async () => {
  await face?.close()
  await sim?.close()
})

/** A face with one token holding `privileges`; connects the api driver to it. */
async function connectWith(privileges: readonly string[], warnings: Warning[] = []) {
  sim = await createSimulator({ speed: 0 })
  const secret = randomUUID()
  const tokenId = 'pve-qemu@pve!service'
  face = await startSimRestFace({ sim, speed: 0, tokens: [{ id: tokenId, secret, privileges }] })
  return connectApiDriver({
    url: face.url,
    tokenId,
    tokenSecret: { reveal: () => secret },
    tls: { kind: 'fingerprint', sha256: face.fingerprint256 },
    log: { warn: (object, message) => warnings.push({ object, message }) },
    taskPollMs: 5,
  })
}

describe('privileges at start', () => {
  it('starts with a token holding exactly the documented privileges', async () => {
    const connected = await connectWith(documentedPrivileges)
    try {
      expect(connected.cluster.description).toMatch(
        /^Proxmox REST API at https:\/\/127\.0\.0\.1:\d+\/api2\/json as pve-qemu@pve!service$/,
      )
      expect(await connected.cluster.missingPrivileges()).toEqual([])
    } finally {
      await connected.close()
    }
  })

  it('refuses to start with a token missing one, naming it and what it is for', async () => {
    const without = documentedPrivileges.filter((p) => p !== 'VM.PowerMgmt')
    const error = await expectPveError(connectWith(without), 'permission')
    expect(error.message).toBe(
      'the API token pve-qemu@pve!service lacks VM.PowerMgmt (starting, stopping and rebooting ' +
        'VMs); add it to its role as the README\'s "Running with the REST API driver" shows',
    )
  })

  it('names every missing privilege at once', async () => {
    const error = await expectPveError(connectWith(['VM.Audit', 'Sys.Audit']), 'permission')
    for (const { privilege } of requiredPrivileges) {
      if (privilege === 'VM.Audit' || privilege === 'Sys.Audit') {
        expect(error.message).not.toContain(`${privilege} (`)
      } else {
        expect(error.message).toContain(`${privilege} (`)
      }
    }
  })

  it('warns when certificate checks are off', async () => {
    sim = await createSimulator({ speed: 0 })
    face = await startSimRestFace({
      sim,
      speed: 0,
      tokens: [{ id: 'svc@pve!lab', secret: 's3cret', privileges: documentedPrivileges }],
    })
    const warnings: Warning[] = []
    const connected = await connectApiDriver({
      url: face.url,
      tokenId: 'svc@pve!lab',
      tokenSecret: { reveal: () => 's3cret' },
      tls: { kind: 'insecure' },
      log: { warn: (object, message) => warnings.push({ object, message }) },
    })
    await connected.close()
    expect(warnings.map((w) => w.message)).toEqual([
      'PVE_TLS_INSECURE=1: the Proxmox certificate is not checked; anyone on the path can read the API token',
    ])
    expect(JSON.stringify(warnings)).not.toContain('s3cret')
  })

  it('lists the privileges for pveum in one line', () => {
    expect(privilegeList().split(' ')).toEqual(documentedPrivileges)
    expect(privilegeList()).toContain('Sys.AccessNetwork')
  })
})

describe('a call the token may not make', () => {
  it('fails with the privilege and path PVE named', async () => {
    const target = await startHttpsTarget({
      privileges: documentedPrivileges.filter((p) => p !== 'VM.Migrate'),
    })
    try {
      const error = await expectPveError(
        target.cluster.migrateVm('pve2', 101, 'pve3', { online: false, withLocalDisks: true }),
        'permission',
      )
      expect(error.message).toBe(
        'Permission check failed (/vms/101, VM.Migrate): pve-qemu@pve!contract lacks the ' +
          'privilege VM.Migrate on /vms/101; grant it as the README\'s "Running with the REST ' +
          'API driver" shows',
      )
    } finally {
      await target.close()
    }
  })
})
