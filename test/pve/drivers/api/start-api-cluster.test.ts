import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { parseConfig } from '../../../../src/config/index.js'
import { startCluster, type StartedCluster } from '../../../../src/start-cluster.js'
import { expectPveError } from '../cli/cluster-contract.js'
import { startHttpsTarget, tokenId, type HttpsTarget } from './https-target.js'

let target: HttpsTarget | undefined
let started: StartedCluster | undefined
let dir: string | undefined

afterEach(async () => {
  await started?.close()
  await target?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  started = target = dir = undefined
})

interface Logged {
  level: string
  message: string
}

function recorder(logged: Logged[]) {
  const at = (level: string) => (_object: object, message: string) => {
    logged.push({ level, message })
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn') }
}

/** The configuration an operator writes for a cluster at `url` (here: a REST face). */
function clusterConfig(url: string, secret: string, trust: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'pve-qemu-api-'))
  return parseConfig({
    PVE_DRIVER: 'api',
    MAIN_NODE: 'pve1',
    GATEWAY: '127.0.0.1',
    DATA_DIR: dir,
    PVE_API_URL: url,
    PVE_TOKEN_ID: tokenId,
    PVE_TOKEN_SECRET: secret,
    ...trust,
  })
}

describe('startCluster with PVE_DRIVER=api', () => {
  it('drives the cluster at PVE_API_URL with the pinned fingerprint', async () => {
    target = await startHttpsTarget()
    const config = clusterConfig(target.face.url, target.secret, {
      PVE_TLS_FINGERPRINT: target.face.fingerprint256,
    })
    started = await startCluster(config)
    expect(started.simulator).toBeUndefined()
    expect(started.cluster.description).toBe(
      `Proxmox REST API at ${target.face.url}/api2/json as ${tokenId}`,
    )
    expect((await started.cluster.vmStatus('pve1', 100)).status).toBe('running')
  })

  it('trusts the CA file named by PVE_CA_FILE', async () => {
    target = await startHttpsTarget()
    const caDir = mkdtempSync(join(tmpdir(), 'pve-qemu-ca-'))
    try {
      const caFile = join(caDir, 'pve-root-ca.pem')
      writeFileSync(caFile, target.face.certificatePem)
      started = await startCluster(
        clusterConfig(target.face.url, target.secret, { PVE_CA_FILE: caFile }),
      )
      expect((await started.cluster.resources()).vms.length).toBeGreaterThan(0)
    } finally {
      rmSync(caDir, { recursive: true, force: true })
    }
  })

  it('warns at start when PVE_TLS_INSECURE=1', async () => {
    target = await startHttpsTarget()
    const logged: Logged[] = []
    started = await startCluster(
      clusterConfig(target.face.url, target.secret, { PVE_TLS_INSECURE: '1' }),
      recorder(logged),
    )
    expect(logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual([
      'PVE_TLS_INSECURE=1: the Proxmox certificate is not checked; anyone on the path can read the API token',
    ])
  })

  it('does not start with the system CAs against a self-signed node', async () => {
    target = await startHttpsTarget()
    const error = await expectPveError(
      startCluster(clusterConfig(target.face.url, target.secret, {})),
      'unreachable',
    )
    expect(error.message).toContain('PVE_TLS_FINGERPRINT')
  })

  it('without PVE_API_URL serves the simulator over HTTPS to a token of the documented privileges', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pve-qemu-api-'))
    started = await startCluster(parseConfig({ PVE_DRIVER: 'api', SIM_SPEED: '0', DATA_DIR: dir }))
    expect(started.simulator).toBeDefined()
    expect(started.restFace?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(started.cluster.description).toMatch(
      /^api driver over HTTPS to the simulated cluster at https:\/\/127\.0\.0\.1:\d+ as pve-qemu@pve!simulator/,
    )
    expect(started.cluster.restricted?.user).toBe('pve-qemu@pve!simulator')
    const before = started.restFace?.requestCount() ?? 0
    await started.cluster.startVm('pve2', 101)
    // the start's POST and at least one read of its task log (which ends it: `TASK OK`)
    expect((started.restFace?.requestCount() ?? 0) - before).toBeGreaterThanOrEqual(2)
  })
})
