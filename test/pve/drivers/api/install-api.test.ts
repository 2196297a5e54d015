// The install route with PVE_DRIVER=api and no PVE_API_URL: the api driver over HTTPS to the
// simulator's REST face, with a token holding only the documented privileges. No filesystem
// path crosses the API: the node downloads the image itself (download-url, content=import).
import { afterEach, describe, expect, it } from 'vitest'

import { installStages } from '../../../../src/provision/install/pipeline.js'
import { buildTestApp, get, type TestApp } from '../../../helpers/build-test-app.js'
import { readSse } from '../../../helpers/sse-client.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function start(env: Record<string, string> = {}): Promise<TestApp> {
  t = await buildTestApp({ env: { PVE_DRIVER: 'api', ...env } })
  return t
}

const install = (app: TestApp, body: unknown): ReturnType<typeof readSse> =>
  readSse(`${app.url}/api/vm/install`, { body })

describe('install through the api driver with a limited token', () => {
  it('runs every stage; the node downloads the image into its import storage', async () => {
    const app = await start()
    expect(app.cluster.description).toMatch(/^api driver over HTTPS to the simulated cluster/)
    const stream = await install(app, { os: 'ubuntu', version: '24.04', passwd: 's3cr3t' })
    expect(stream.steps.filter((s) => s.status === 'error')).toEqual([])
    const seen = [...new Set(stream.steps.map((s) => s.step))]
    const expected = installStages
      .map((stage) => stage.name)
      .filter((name) => name !== 'VM initialization > migrating VM')
    expect(seen).toEqual([...expected, 'VM initialization > finalizing'])
    const messages = stream.steps.map((s) => s.message)
    expect(
      messages.some((m) => m.includes('images reach pve1 through download-url into local')),
    ).toBe(true)
    expect(messages.some((m) => /downloading http:\/\/127\.0\.0\.1:\d+\/.* to /.test(m))).toBe(true)
    expect(messages.some((m) => m.includes('OK, checksum verified'))).toBe(true)
    expect(
      messages.some((m) =>
        m.includes(
          'completed OS image download to local:import/ubuntu-24.04-server-cloudimg-amd64.qcow2',
        ),
      ),
    ).toBe(true)
    expect(stream.steps.at(-1)).toMatchObject({ status: 'success', vm_id: 103 })
    expect((await get(`${app.url}/api/vm/103/status`)).text).toBe('running')

    const config = await app.cluster.vmConfig(app.sim.mainNode, 103)
    // a token sets ciupgrade like any cloud-init option (qemu-server >= 8.0.7)
    expect(config.ciupgrade).toBe('0')
    expect(config).not.toHaveProperty('cicustom')
    expect(config.scsi0).toMatch(/^local-lvm:vm-103-disk-\d,.*size=16G/)
    const imported = app.sim
      .snapshot()
      .storages.find((s) => s.node === 'pve1' && s.storage === 'local')
      ?.volumes.map((v) => v.volid)
    expect(imported).toContain('local:import/ubuntu-24.04-server-cloudimg-amd64.qcow2')
    // the service itself downloaded nothing: the node did
    expect(app.imageStore.stats().cacheMisses).toBe(0)
  })

  it('reuses the image already on the node, verified by its checksum', async () => {
    const app = await start()
    await install(app, { os: 'debian', version: '12', passwd: 'x' })
    const second = await install(app, { os: 'debian', version: '12', passwd: 'y' })
    expect(second.steps.filter((s) => s.status === 'error')).toEqual([])
    const messages = second.steps.map((s) => s.message)
    expect(
      messages.some((m) =>
        m.includes('OS image already on local:import/debian-12-genericcloud-amd64.qcow2 on pve1'),
      ),
    ).toBe(true)
    expect(second.steps.at(-1)).toMatchObject({ status: 'success', vm_id: 104 })
  })

  it("leaves out the node's download when the template the VM clones already holds the image", async () => {
    const app = await start({ TEMPLATES: 'auto' })
    const first = await install(app, { os: 'debian', version: '12', passwd: 'x' })
    expect(first.steps.filter((s) => s.status === 'error')).toEqual([])
    const firstSaid = first.steps.map((s) => s.message).join('\n')
    expect(firstSaid).toContain('completed OS image download to local:import/')
    const template = /template (\d+) built/.exec(firstSaid)?.[1]
    expect(template).toBeDefined()

    const second = await install(app, { os: 'debian', version: '12', passwd: 'y' })
    expect(second.steps.filter((s) => s.status === 'error')).toEqual([])
    const downloading = second.steps.filter(
      (s) => s.step === 'OS preparation > downloading OS image',
    )
    expect(downloading.at(-1)?.message).toMatch(
      new RegExp(
        `^\\[\\+\\] template ${template ?? ''} already holds this image \\([0-9a-f]{12}\\): nothing to download`,
      ),
    )
    // no download-url task on the node: none of its lines, no re-check of the file there
    expect(downloading.some((s) => s.message.includes('start downloading OS image'))).toBe(false)
    expect(second.steps.map((s) => s.message).join('\n')).not.toMatch(
      /no need to download|downloading http/,
    )
    expect(second.steps.map((s) => s.message).join('\n')).toContain(
      `linked clone of template ${template ?? ''}`,
    )
    expect(second.steps.at(-1)).toMatchObject({ status: 'success' })
  })
})
