import { afterEach, describe, expect, it } from 'vitest'
import { readTemplateRecord } from '../../../src/provision/templates/read-template-record.js'
import { templateTags } from '../../../src/provision/templates/template-identity.js'
import { findRelease } from '../../../src/images/os-catalog.js'
import { createApiDriver, requiredPrivileges } from '../../../src/pve/drivers/api/index.js'
import { createInProcessTransport } from '../../../src/sim/faces/in-process-transport.js'
import { createSimulator, type Simulator } from '../../../src/sim/index.js'

let sim: Simulator | undefined
afterEach(async () => {
  await sim?.close()
  sim = undefined
})

describe('a template made by an earlier run', () => {
  it("gets its storage's type and sharing from the node's storage list, which the README's role may read; /cluster/resources shows it no storage", async () => {
    sim = await createSimulator({ speed: 0 })
    const release = findRelease('debian', '12')
    if (release === undefined) throw new Error('debian 12 missing from the catalog')
    const root = createApiDriver({
      transport: createInProcessTransport(sim),
      description: 'root',
      taskPollMs: 5,
    })
    await root.createVm('pve1', 9000, {
      name: 'tpl',
      scsi0: 'local-lvm:1',
      tags: templateTags({ release, sha: 'ab'.repeat(32) }),
    })
    await root.templateVm('pve1', 9000)
    // the service's token: exactly the README's role, which has no Datastore.Audit
    const service = createApiDriver({
      transport: createInProcessTransport(sim, {
        user: 'pve-qemu@pve!svc',
        privileges: new Set(requiredPrivileges.map((entry) => entry.privilege)),
      }),
      description: 'token',
      taskPollMs: 5,
    })
    const { vms, storages } = await service.resources()
    expect(storages).toEqual([])
    const vm = vms.find((entry) => entry.vmid === 9000)
    if (vm === undefined) throw new Error('the template is not listed')
    const record = await readTemplateRecord(service, vm, (node) => service.nodeStorages(node))
    expect(record).toMatchObject({
      vmid: 9000,
      node: 'pve1',
      storage: 'local-lvm',
      type: 'lvmthin',
      shared: false,
      sha: 'ab'.repeat(6),
    })
  })
})
