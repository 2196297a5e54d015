import { afterEach, describe, expect, it } from 'vitest'
import type { Simulator } from '../../../src/sim/index.js'
import { buildSim, call } from '../helpers.js'

let sim: Simulator
afterEach(async () => {
  await sim.close()
})

describe('api router', () => {
  it('answers 501 for an unknown path or method, naming both', async () => {
    sim = await buildSim()
    expect(await call(sim, 'GET', '/nodes/pve1/foo')).toEqual({
      status: 501,
      data: null,
      message: "Method 'GET /nodes/pve1/foo' not implemented",
    })
    const wrongMethod = await call(sim, 'DELETE', '/cluster/resources')
    expect(wrongMethod.status).toBe(501)
    expect(wrongMethod.message).toBe("Method 'DELETE /cluster/resources' not implemented")
  })

  it('answers 500, not 404, for a VM whose config is on another node', async () => {
    sim = await buildSim()
    const response = await call(sim, 'GET', '/nodes/pve2/qemu/100/status/current')
    expect(response).toEqual({
      status: 500,
      data: null,
      message: "Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist",
    })
  })

  it('collects every parameter error into one 400', async () => {
    sim = await buildSim()
    const response = await call(sim, 'POST', '/nodes/pve1/qemu', {
      vmid: '0123',
      foo: 1,
      cores: 'abc',
      onboot: 'maybe',
    })
    expect(response.status).toBe(400)
    expect(response.message).toBe('Parameter verification failed.')
    expect(response.errors).toEqual({
      vmid: 'invalid format - value does not look like a valid VM ID\n',
      foo: 'property is not defined in schema and the schema does not allow additional properties',
      cores: "type check ('integer') failed - got 'abc'",
      onboot: "type check ('boolean') failed - got 'maybe'",
    })
  })

  it('takes JSON booleans in-process but only 0/1 from a REST form', async () => {
    sim = await buildSim()
    const json = await call(sim, 'PUT', '/nodes/pve2/qemu/101/config', { onboot: true })
    expect(json.status).toBe(200)
    const form = await call(
      sim,
      'PUT',
      '/nodes/pve2/qemu/101/config',
      { onboot: 'true' },
      { user: 'root@pam', via: 'rest-form' },
    )
    expect(form.errors).toEqual({ onboot: "type check ('boolean') failed - got 'true'" })
  })

  it('refuses a restricted token with the ACL path and privilege', async () => {
    sim = await buildSim()
    const response = await call(
      sim,
      'GET',
      '/nodes/pve1/qemu/100/status/current',
      {},
      {
        user: 'svc@pve',
        tokenId: 'ro',
        privileges: new Set(['Sys.Audit']),
        via: 'rest-json',
      },
    )
    expect(response).toMatchObject({
      status: 403,
      message: 'Permission check failed (/vms/100, VM.Audit)',
    })
  })

  it('fails the host lookup for a node that is not in the cluster', async () => {
    sim = await buildSim()
    const response = await call(sim, 'GET', '/nodes/pve9/status')
    expect(response.status).toBe(500)
    expect(response.message).toMatch(/^hostname lookup 'pve9' failed/)
  })
})
