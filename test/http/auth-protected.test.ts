import { afterEach, describe, expect, it } from 'vitest'
import { buildTestApp, get, post, type TestApp } from '../helpers/build-test-app.js'
import { readSse } from '../helpers/sse-client.js'

let t: TestApp | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

interface Listed {
  vmid: number
  node: string
  running: boolean
  cpu: number
  protected?: boolean
}

async function listed(app: TestApp): Promise<Listed[]> {
  const response = await fetch(`${app.url}/api/vm/list`)
  const body = (await response.json()) as { vms: Listed[] }
  return body.vms
}

describe('protected VMs', () => {
  it('are listed and marked, never stopped, changed or destroyed (403)', async () => {
    t = await buildTestApp({ env: { PROTECTED_VMIDS: '100', PROTECTED_TAG: 'keep' } })
    const node102 = (await listed(t)).find((vm) => vm.vmid === 102)?.node ?? ''
    await t.cluster.updateVm(node102, 102, { tags: 'keep;web' })

    const before = await listed(t)
    expect(before.map((vm) => [vm.vmid, vm.protected])).toEqual([
      [100, true],
      [101, undefined],
      [102, true],
    ])
    const refused = `VM 100 is protected: this service never stops, changes or destroys it`
    for (const path of ['stop', 'shutdown', 'reboot', 'destroy']) {
      const answer = await post(`${t.url}/api/vm/100/${path}`)
      expect({ path, status: answer.status, text: answer.text }).toEqual({
        path,
        status: 403,
        text: refused,
      })
    }
    expect(await post(`${t.url}/api/vm/100/set/cpu`, { cpu: 8 })).toMatchObject({
      status: 403,
      text: refused,
    })
    expect((await post(`${t.url}/api/vm/100/set/memory`, { memory: 4096 })).status).toBe(403)
    expect((await post(`${t.url}/api/vm/100/set/disk`, { disk: '10G' })).status).toBe(403)
    expect((await post(`${t.url}/api/vm/100/set/node`, { node: 'pve2' })).status).toBe(403)
    expect(await post(`${t.url}/api/vm/102/destroy`)).toMatchObject({
      status: 403,
      text: 'VM 102 is protected: this service never stops, changes or destroys it',
    })
    expect((await post(`${t.url}/api/vm/101/set/cpu`, { cpu: 3 })).status).toBe(200)

    const after = await listed(t)
    expect(after.filter((vm) => vm.vmid !== 101)).toEqual(before.filter((vm) => vm.vmid !== 101))
    expect((await get(`${t.url}/api/vm/100/status`)).text).toBe('running')
    expect(t.store.audit.recent(1)[0]).toMatchObject({
      action: 'POST /api/vm/101/set/cpu',
      result: 'ok',
    })
    expect(t.store.audit.recent(2)[1]).toMatchObject({
      action: 'POST /api/vm/102/destroy',
      status: 403,
      result: 'VM_PROTECTED',
    })
  })

  it('may be started: that changes nothing that was there', async () => {
    t = await buildTestApp({ env: { PROTECTED_VMIDS: '101' } })
    const started = await readSse(`${t.url}/api/vm/101/start`)
    expect(started.status).toBe(200)
    expect((await get(`${t.url}/api/vm/101/status`)).text).toBe('running')
    expect((await post(`${t.url}/api/vm/101/stop`)).status).toBe(403)
  })

  it('are never installed over nor handed out by an install', async () => {
    t = await buildTestApp({ env: { PROTECTED_VMIDS: '103,150' } })
    const refused = await post(`${t.url}/api/vm/install`, { os: 'debian', version: '12', id: 150 })
    expect(refused.status).toBe(403)
    expect(JSON.parse(refused.text)).toMatchObject({ success: false, code: 'VM_PROTECTED' })
    const installed = await readSse(`${t.url}/api/vm/install`, {
      body: { os: 'debian', version: '12' },
    })
    expect(installed.steps.at(-1)).toMatchObject({ status: 'success', vm_id: 104 })
  })
})
