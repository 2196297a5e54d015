// Installs through the api driver on the simulator's REST face with pveproxy's proxy timeout on
// (scaled by SIM_SPEED): a disk import that outlives the proxy must run as a task and be sent
// once, never repeated after a 596 (pve.md §10.7).
import { afterEach, describe, expect, it } from 'vitest'

import { buildTestApp, type TestApp } from '../../../helpers/build-test-app.js'
import { readSse } from '../../../helpers/sse-client.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

// The simulator imports at 400 MiB/s, so Rocky's 10 GiB take 25.6 s; a proxy that gives up at
// 15 s stands for the slower disk of the field report (the ratio is what matters).
const env = { PVE_DRIVER: 'api', SIM_SPEED: '0.01', SIM_PROXY_TIMEOUT_MS: '15000' }

describe('install through the api driver with the proxy timeout on', () => {
  it.each([
    ['rockylinux', '9'],
    ['debian', '12'],
  ])('%s %s completes, importing its disk exactly once', async (os, version) => {
    const app = await buildTestApp({ env })
    t = app
    const stream = await readSse(`${app.url}/api/vm/install`, {
      body: { os, version, passwd: 'pw' },
    })
    expect(stream.steps.filter((s) => s.status === 'error')).toEqual([])
    const last = stream.steps.at(-1)
    expect(last).toMatchObject({ status: 'success' })
    const vmid = Number(last?.vm_id)
    expect(app.restFace?.importCount()).toBe(1)
    const vm = app.sim.snapshot().vms.find((v) => v.vmid === vmid)
    expect(Object.keys(vm?.config ?? {}).filter((key) => key.startsWith('unused'))).toEqual([])
    const disks = app.sim
      .snapshot()
      .storages.flatMap((s) => s.volumes)
      .filter((v) => v.vmid === vmid && !v.volid.includes('cloudinit'))
    expect(disks).toHaveLength(1)
  })
})
