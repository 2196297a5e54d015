import { describe, expect, it } from 'vitest'

import { canonicalJson, prettyJson } from '../../../../src/sim/faces/cli/format/json-output.js'
import {
  formatPvesmList,
  formatPvesmStatus,
  formatQmList,
} from '../../../../src/sim/faces/cli/format/tables.js'
import { uriEscape } from '../../../../src/sim/faces/cli/uri-escape.js'
import { readFixture } from '../../../fixtures/pve/fixture.js'

const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n')
const MiB = 1024 ** 2
const GiB = 1024 ** 3

describe('golden tables', () => {
  it('prints qm list exactly like the real sample, trailing spaces included', () => {
    const text = formatQmList([
      {
        vmid: 9000,
        name: 'alpine-template',
        status: 'stopped',
        maxmem: 1024 * MiB,
        maxdisk: 10 * GiB,
      },
      {
        vmid: 103,
        name: 'vaultwarden',
        status: 'running',
        maxmem: 2048 * MiB,
        maxdisk: 8 * GiB,
        pid: 2789,
      },
    ])
    expect(text).toEqual(lines(readFixture('qm-list.txt')))
  })

  it('prints nothing at all for qm list without VMs', () => {
    expect(formatQmList([])).toEqual([])
  })

  it('lets a long name push the rest of the row right', () => {
    const [, row] = formatQmList([
      {
        vmid: 100,
        name: 'a-name-longer-than-twenty',
        status: 'running',
        maxmem: 512 * MiB,
        maxdisk: 4 * GiB,
        pid: 7,
      },
    ])
    expect(row).toBe(
      '       100 a-name-longer-than-twenty running    512                4.00 7         ',
    )
  })

  const storages = [
    {
      storage: 'usb-storage-01',
      type: 'dir',
      active: true,
      enabled: true,
      total: 30246892 * 1024,
      used: 8094128 * 1024,
      avail: 22152764 * 1024,
    },
    { storage: 'local', type: 'dir', active: false, enabled: false, total: 0, used: 0, avail: 0 },
    {
      storage: 'local-zfs',
      type: 'zfspool',
      active: true,
      enabled: true,
      total: 1394081792 * 1024,
      used: 87896381 * 1024,
      avail: 1306185410 * 1024,
    },
  ]

  it('prints pvesm status like the real PVE 8.4 sample', () => {
    expect(formatPvesmStatus(storages, false)).toEqual(lines(readFixture('pvesm-status-8.txt')))
  })

  it('prints the (KiB) header of pve-storage 9.0.14 and later', () => {
    expect(formatPvesmStatus(storages, true)).toEqual(lines(readFixture('pvesm-status-9.txt')))
  })

  it('prints pvesm list with the real column layout', () => {
    const printed = formatPvesmList([
      {
        volid: 'local-zfs:vm-100-disk-0',
        format: 'raw',
        content: 'images',
        size: 25769803776,
        vmid: 100,
      },
      // a 26-character volid: the width of the sample's (trimmed) listing
      {
        volid: 'local-zfs:base-9000-disk-0',
        format: 'raw',
        content: 'images',
        size: 2147483648,
        vmid: 9000,
      },
    ])
    expect(printed.slice(0, 2)).toEqual(lines(readFixture('pvesm-list.txt')).slice(0, 2))
  })
})

describe('pvesh JSON', () => {
  it('prints one line with sorted keys', () => {
    expect(canonicalJson({ vmid: 100, cpu: 0.5, nested: { b: 1, a: [{ z: 1, y: 2 }] } })).toBe(
      '{"cpu":0.5,"nested":{"a":[{"y":2,"z":1}],"b":1},"vmid":100}',
    )
  })

  it('prints json-pretty with a 3-space indent and a space around each colon', () => {
    expect(prettyJson({ status: 'running', ha: { managed: 0 }, list: [1, 'a'], empty: [] })).toBe(
      [
        '{',
        '   "empty" : [],',
        '   "ha" : {',
        '      "managed" : 0',
        '   },',
        '   "list" : [',
        '      1,',
        '      "a"',
        '   ],',
        '   "status" : "running"',
        '}',
      ].join('\n'),
    )
  })
})

describe('uriEscape', () => {
  it('encodes a key file like the real config sample', () => {
    const file =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKZQPSbEwoDXP42HyE5v4uJ5EC6OpYecPeslMdxQ3KUw admin@jlrickert.me\n'
    const stored = /^sshkeys: (.*)$/m.exec(readFixture('qm-config.txt'))?.[1]
    expect(uriEscape(file)).toBe(stored)
  })

  it("encodes everything outside A-Za-z0-9-._~, including !'()* and UTF-8", () => {
    expect(uriEscape("a!'()*+/=é~")).toBe('a%21%27%28%29%2A%2B%2F%3D%C3%A9~')
  })
})
