import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { parseConfig } from '../../../../src/config/index.js'
import { parseProblems } from '../../../helpers/config-problems.js'

const secret = '0b5f6c1e-7a3d-4f1b-9e2a-5c8d7e6f4a3b'
const real = {
  PVE_DRIVER: 'api',
  MAIN_NODE: 'pve1',
  GATEWAY: '10.0.0.1',
  PVE_API_URL: 'https://pve1.example.com:8006',
  PVE_TOKEN_ID: 'pve-qemu@pve!service',
  PVE_TOKEN_SECRET: secret,
}

describe('api driver configuration', () => {
  it('reads URL, token and trust; the secret stays a Secret', () => {
    const config = parseConfig({ ...real, PVE_TLS_FINGERPRINT: 'ab'.repeat(32) })
    expect(config.pve).toMatchObject({ driver: 'api', simulated: false })
    expect(config.pveApi).toMatchObject({
      url: 'https://pve1.example.com:8006',
      tokenId: 'pve-qemu@pve!service',
      tlsFingerprint: 'ab'.repeat(32),
      tlsInsecure: false,
      caFile: undefined,
    })
    expect(config.pveApi.tokenSecret?.reveal()).toBe(secret)
    expect(JSON.stringify(config)).not.toContain(secret)
  })

  it('accepts the URL with /api2/json and keeps only the origin', () => {
    const config = parseConfig({ ...real, PVE_API_URL: 'https://10.0.0.2:8006/api2/json/' })
    expect(config.pveApi.url).toBe('https://10.0.0.2:8006')
  })

  it('runs on the simulator when PVE_API_URL is unset, with no token needed', () => {
    const config = parseConfig({ PVE_DRIVER: 'api' })
    expect(config.pve.simulated).toBe(true)
    expect(config.pveApi.url).toBeUndefined()
  })

  it.each([
    [{ PVE_API_URL: 'http://pve1:8006' }, /^PVE_API_URL: must be the https address/],
    [{ PVE_API_URL: 'https://root:pw@pve1:8006' }, /^PVE_API_URL: must be the https address/],
    [{ PVE_TOKEN_ID: 'root@pam' }, /^PVE_TOKEN_ID: must be an API token id user@realm!tokenname/],
    [{ PVE_TOKEN_SECRET: '' }, /^PVE_TOKEN_SECRET: is required with PVE_API_URL/],
    [
      { PVE_TLS_FINGERPRINT: 'AB:CD' },
      /^PVE_TLS_FINGERPRINT: must be a SHA-256 certificate fingerprint/,
    ],
    [{ PVE_TLS_INSECURE: 'yes' }, /^PVE_TLS_INSECURE: must be one of 0, 1/],
    [{ PVE_CA_FILE: '/nonexistent/ca.pem' }, /^PVE_CA_FILE: names no readable file/],
    [{ PVE_DRIVER: 'cli' }, /^PVE_API_URL: is only used with PVE_DRIVER=api, not cli/],
  ])('refuses %j naming the variable', (vars, problem) => {
    expect(parseProblems({ ...real, ...vars })).toEqual(
      expect.arrayContaining([expect.stringMatching(problem)]),
    )
  })

  it('takes one way of trusting the node, not two', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pve-qemu-ca-'))
    try {
      const caFile = join(dir, 'pve-root-ca.pem')
      writeFileSync(caFile, 'not checked here')
      expect(parseProblems({ ...real, PVE_CA_FILE: caFile, PVE_TLS_INSECURE: '1' })).toEqual([
        'PVE_CA_FILE: set only one of PVE_CA_FILE, PVE_TLS_INSECURE=1: they are different ways to trust the node',
      ])
      expect(parseConfig({ ...real, PVE_CA_FILE: caFile }).pveApi.caFile).toBe(caFile)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('wants a token without a URL nowhere, and never echoes a secret', () => {
    const problems = parseProblems({ PVE_DRIVER: 'api', PVE_TOKEN_SECRET: secret })
    expect(problems).toEqual(['PVE_TOKEN_SECRET: needs PVE_API_URL to be set as well'])
    expect(
      parseProblems({ ...real, PVE_TOKEN_ID: 'bad id', PVE_TOKEN_SECRET: secret }).join('\n'),
    ).not.toContain(secret)
  })
})
