import { describe, expect, it } from 'vitest'

import {
  readClusterResources,
  readNodeStatus,
  readVmConfig,
} from '../../../../../src/pve/read/index.js'
import { parseNextId, parsePveshJson } from '../../../../../src/pve/drivers/cli/parse/pvesh-json.js'
import { PveError } from '../../../../../src/pve/errors.js'
import { readFixture } from '../../../../fixtures/pve/fixture.js'

describe('parsePveshJson', () => {
  it('reads the one line of a plain GET', () => {
    const { lines, data } = parsePveshJson(readFixture('pvesh-cluster-resources.txt'))
    expect(lines).toEqual([])
    const resources = readClusterResources(data)
    expect(resources.vms).toEqual([
      expect.objectContaining({
        vmid: 100,
        node: 'pve-node1',
        status: 'running',
        name: 'proxmox-dev',
      }),
    ])
    expect(resources.storages[0]).toMatchObject({
      storage: 'local-lvm',
      type: 'lvmthin',
      disk: 90006495232,
    })
  })

  it('reads node status and VM config samples into the port types', () => {
    const status = readNodeStatus(
      'proxmox',
      parsePveshJson(readFixture('pvesh-nodes-status.txt')).data,
    )
    expect(status).toMatchObject({
      cpus: 8,
      memoryTotal: 33537990656,
      pveVersion: 'pve-manager/8.4.14/b502d23c55afcba1',
    })
    const config = readVmConfig(parsePveshJson(readFixture('pvesh-qemu-config.txt')).data)
    expect(config).toMatchObject({ memory: '1024', cores: '1', numa: '0' })
    expect(config).not.toHaveProperty('digest')
  })

  it('takes the last line as the result and keeps the handler lines before it', () => {
    const { lines, data } = parsePveshJson(readFixture('pvesh-start-upid.txt'))
    expect(lines).toEqual(['generating cloud-init ISO'])
    expect(data).toBe('UPID:pve:0000EAE0:000A9DDE:695FF642:qmstart:9201:root@pam:')
  })

  it('gives null for a call that printed nothing', () => {
    expect(parsePveshJson('')).toEqual({ lines: [], data: null })
  })

  it('refuses output whose last line is not JSON, quoting it', () => {
    expect(() => parsePveshJson(readFixture('pvesh-set-config.txt'))).toThrow(
      new PveError('failed', 'pvesh printed no JSON result: update VM 100: -memory 4096'),
    )
  })
})

describe('parseNextId', () => {
  it.each([
    ['"100"', 100],
    ['100', 100],
    ['"910000"', 910000],
  ])('reads %s', (json, id) => {
    expect(parseNextId(JSON.parse(json))).toBe(id)
  })

  it.each(['"abc"', 'null', '"99"', '12.5'])('refuses %s', (json) => {
    expect(() => parseNextId(JSON.parse(json))).toThrow(PveError)
  })
})
