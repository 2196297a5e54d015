// One validation of names for both drivers: a node, config key, storage or volume id that could
// name another path, parameter or option is refused before any request or command.
import { describe, expect, it } from 'vitest'

import {
  checkConfigKey,
  checkNodeName,
  checkStorageId,
  checkVolumeId,
} from '../../src/pve/check-names.js'
import type { Cluster } from '../../src/pve/cluster.js'
import { createApiDriver } from '../../src/pve/drivers/api/index.js'
import type { PveApiRequest } from '../../src/pve/drivers/api/index.js'
import { createCliDriver } from '../../src/pve/drivers/cli/index.js'
import { PveError } from '../../src/pve/errors.js'
import { createScriptedExecutors } from './drivers/cli/scripted-executor.js'

describe('check-names', () => {
  it.each(['pve1', 'node-2', 'A1'])('accepts the node name %s', (node) => {
    expect(() => {
      checkNodeName(node)
    }).not.toThrow()
  })
  it.each(['../x', 'a/b', '-x', 'pve1?x=1', 'a b', '', 'pve1%2f..'])('refuses the node %o', (n) => {
    expect(() => {
      checkNodeName(n)
    }).toThrow(/node: invalid format/)
  })
  it.each(['local', 'local-lvm', 'nfs.backup_1'])('accepts the storage %s', (storage) => {
    expect(() => {
      checkStorageId(storage)
    }).not.toThrow()
  })
  it.each(['../etc', 'a/b', '-x', 'local lvm', '1local'])('refuses the storage %o', (storage) => {
    expect(() => {
      checkStorageId(storage)
    }).toThrow(PveError)
  })
  it.each(['local:import/debian-12.qcow2', 'local-lvm:vm-100-disk-0'])('accepts %s', (volid) => {
    expect(() => {
      checkVolumeId(volid)
    }).not.toThrow()
  })
  it.each(['/var/lib/vz/x.qcow2', 'local:../../etc/shadow', 'local', 'local:a b', '-x:y'])(
    'refuses the volume %o',
    (volid) => {
      expect(() => {
        checkVolumeId(volid)
      }).toThrow(/unable to parse volume ID/)
    },
  )
  it.each(['cores', 'net0', 'ipconfig0'])('accepts the config key %s', (key) => {
    expect(() => {
      checkConfigKey(key)
    }).not.toThrow()
  })
  it.each(['delete', 'cores&x', 'a=b', 'Cores', '--x', ''])('refuses the config key %o', (key) => {
    expect(() => {
      checkConfigKey(key)
    }).toThrow(PveError)
  })
})

/** Each driver over a transport or executor that records what it was asked to send. */
function drivers(): { name: string; cluster: Cluster; sent: () => number }[] {
  const requests: PveApiRequest[] = []
  const api = createApiDriver({
    description: 'recording',
    transport: {
      user: 'svc@pve!t',
      request(request) {
        requests.push(request)
        return Promise.resolve({ status: 200, data: null })
      },
    },
  })
  const cli = createScriptedExecutors()
  const cliDriver = createCliDriver({
    mainNode: 'pve1',
    executorFor: cli.executorFor,
    log: { debug: () => undefined },
  })
  return [
    { name: 'api', cluster: api, sent: () => requests.length },
    { name: 'cli', cluster: cliDriver, sent: () => cli.calls.length },
  ]
}

describe.each(drivers())('the $name driver', ({ cluster, sent }) => {
  it.each(['../x', 'a/b'])('refuses the node %o before anything is sent', async (node) => {
    await expect(cluster.vmStatus(node, 100)).rejects.toThrow(/node: invalid format/)
    await expect(cluster.nodeStatus(node)).rejects.toThrow(/node: invalid format/)
    await expect(cluster.startVm(node, 100)).rejects.toThrow(/node: invalid format/)
    await expect(cluster.updateVm(node, 100, { cores: '2' })).rejects.toThrow(/invalid format/)
    await expect(
      cluster.migrateVm('pve1', 100, node, { online: false, withLocalDisks: false }),
    ).rejects.toThrow(/invalid format/)
    expect(sent()).toBe(0)
  })

  it('refuses a config key that would smuggle another parameter in', async () => {
    await expect(cluster.updateVm('pve1', 100, { 'cores&delete': '2' })).rejects.toThrow(PveError)
    expect(sent()).toBe(0)
  })
})
