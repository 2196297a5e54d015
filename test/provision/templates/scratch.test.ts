import { afterEach, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../helpers/build-test-app.js'
import { readSse } from '../../helpers/sse-client.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
})

it('scratch', async () => {
  t = await buildTestApp({ env: { TEMPLATES: 'auto', INSTALL_REBOOT: 'auto', PVE_DRIVER: process.env.D ?? 'sim' } })
  const one = await readSse(`${t.url}/api/vm/install`, { body: { os: 'debian', version: '12', passwd: 'pw' } })
  console.log(one.steps.map((s) => `${s.step} | ${s.message}`).join('\n'))
  const two = await readSse(`${t.url}/api/vm/install`, { body: { os: 'debian', version: '12', passwd: 'pw', node: 'pve2' } })
  console.log(two.steps.map((s) => `${s.step} | ${s.message}`).join('\n'))
  console.log(JSON.stringify(t.sim.snapshot().vms.map((v) => [v.vmid, v.node, v.status])))
  expect(two.steps.at(-1)?.status).toBe('success')
})
