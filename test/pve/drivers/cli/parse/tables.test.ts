import { describe, expect, it } from 'vitest'

import {
  parseByteSize,
  parseCreatedDisk,
  parseImportedDisk,
  parseMigrationLine,
  parsePvesmStatus,
  parseQmList,
  parseQmStatus,
  parseTaskStatus,
  parseTransferLine,
  parseUpid,
} from '../../../../../src/pve/drivers/cli/parse/index.js'
import { PveError } from '../../../../../src/pve/errors.js'
import { readFixture } from '../../../../fixtures/pve/fixture.js'

const GiB = 1024 ** 3
const MiB = 1024 ** 2

describe('parseQmStatus', () => {
  it('reads the real one-line output', () => {
    expect(parseQmStatus(readFixture('qm-status.txt'))).toBe('running')
  })
  it.each(['stopped', 'paused', 'prelaunch', 'suspended'])('reads status: %s', (state) => {
    expect(parseQmStatus(`status: ${state}\n`)).toBe(state)
  })
  it('maps a state it does not know to unknown, and refuses other text', () => {
    expect(parseQmStatus('status: io-error\n')).toBe('unknown')
    expect(() => parseQmStatus('hello\n')).toThrow(PveError)
  })
})

describe('parseQmList', () => {
  it('reads the real sample', () => {
    expect(parseQmList(readFixture('qm-list.txt'))).toEqual([
      {
        vmid: 103,
        name: 'vaultwarden',
        status: 'running',
        memoryMiB: 2048,
        bootDiskGiB: 8,
        pid: 2789,
      },
      {
        vmid: 9000,
        name: 'alpine-template',
        status: 'stopped',
        memoryMiB: 1024,
        bootDiskGiB: 10,
        pid: 0,
      },
    ])
  })
  it('reads nothing as no VMs', () => {
    expect(parseQmList('')).toEqual([])
  })
  it('reads a name longer than its column and an unnamed VM', () => {
    const text = [
      '      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID       ',
      '       100 a-very-long-name-for-a-virtual-machine running    512                4.00 1234      ',
      '       101 VM 101               stopped    512                0.00 0         ',
      '',
    ].join('\n')
    expect(parseQmList(text).map((row) => [row.vmid, row.name, row.status])).toEqual([
      [100, 'a-very-long-name-for-a-virtual-machine', 'running'],
      [101, 'VM 101', 'stopped'],
    ])
  })
})

describe('parsePvesmStatus', () => {
  const expected = [
    { storage: 'local', type: 'dir', status: 'disabled', total: 0, used: 0, avail: 0 },
    {
      storage: 'local-zfs',
      type: 'zfspool',
      status: 'active',
      total: 1394081792 * 1024,
      used: 87896381 * 1024,
      avail: 1306185410 * 1024,
      usedPercent: 6.3,
    },
    {
      storage: 'usb-storage-01',
      type: 'dir',
      status: 'active',
      total: 30246892 * 1024,
      used: 8094128 * 1024,
      avail: 22152764 * 1024,
      usedPercent: 26.76,
    },
  ]
  it.each(['pvesm-status-8.txt', 'pvesm-status-9.txt'])('reads %s (either header)', (file) => {
    expect(parsePvesmStatus(readFixture(file))).toEqual(expected)
  })
  it('refuses a row that is not seven fields', () => {
    expect(() => parsePvesmStatus('Name Type\nlocal dir\n')).toThrow(PveError)
  })
})

describe('disk import output', () => {
  it.each([
    ['transferred 0.0 B of 3.5 GiB (0.00%)', { transferred: 0, total: 3.5 * GiB, percent: 0 }],
    [
      'transferred 35.8 MiB of 3.5 GiB (1.00%)',
      { transferred: Math.round(35.8 * MiB), total: 3.5 * GiB, percent: 1 },
    ],
    [
      'transferred 3.5 GiB of 3.5 GiB (100.00%)',
      { transferred: 3.5 * GiB, total: 3.5 * GiB, percent: 100 },
    ],
  ])('reads %s', (line, progress) => {
    expect(parseTransferLine(line)).toEqual(progress)
  })

  it('finds every progress line and the final line in the real 8.3 sample', () => {
    const lines = readFixture('qm-disk-import-8.3.txt').trimEnd().split('\n')
    expect(lines.map(parseTransferLine).filter((p) => p !== undefined)).toHaveLength(4)
    expect(lines.map(parseImportedDisk).filter((d) => d !== undefined)).toEqual([
      { key: 'unused0', volid: 'local:9000/vm-9000-disk-0.raw' },
    ])
  })

  it('reads the pre-8.3 final line the same way', () => {
    const last = readFixture('qm-disk-import-8.2.txt').trimEnd().split('\n').at(-1) ?? ''
    expect(parseImportedDisk(last)).toEqual({
      key: 'unused0',
      volid: 'local:9000/vm-9000-disk-0.raw',
    })
  })

  it('reads a --target-disk final line', () => {
    expect(
      parseImportedDisk("scsi0: successfully imported disk 'local-lvm:vm-9000-disk-0,size=3584M'"),
    ).toEqual({
      key: 'scsi0',
      volid: 'local-lvm:vm-9000-disk-0,size=3584M',
    })
  })

  it('reads the disk lines of qm create and qm set', () => {
    const created = readFixture('qm-create.txt').split('\n').map(parseCreatedDisk)
    expect(created.filter((d) => d !== undefined)).toEqual([
      { key: 'scsi0', volid: 'local-lvm:vm-998-disk-0,size=4G' },
    ])
    const set = readFixture('qm-set-cloudinit.txt').split('\n').map(parseCreatedDisk)
    expect(set.filter((d) => d !== undefined)).toEqual([
      { key: 'ide2', volid: 'local-lvm:vm-9003-cloudinit,media=cdrom' },
    ])
  })

  it.each(['0.0 B', '4.0 KiB', '512.0 MiB', '1.5 TiB'])('reads the size %s', (text) => {
    expect(parseByteSize(text)).toBeGreaterThanOrEqual(0)
  })
  it.each(['', '3.5 GB', 'lots'])('refuses the size %j', (text) => {
    expect(parseByteSize(text)).toBeUndefined()
  })
})

describe('parseMigrationLine', () => {
  const lines = readFixture('qm-migrate-online.txt').trimEnd().split('\n').map(parseMigrationLine)

  it('splits off the time of every real line', () => {
    expect(lines.every((line) => line.time?.startsWith('2025-01-04 00:34:'))).toBe(true)
    expect(lines[0]).toEqual({
      time: '2025-01-04 00:34:24',
      error: false,
      text: "starting migration of VM 105 to node 'pve1' (10.10.1.1)",
    })
  })

  it('reads VM-state progress', () => {
    expect(lines[10]?.progress).toEqual({
      transferred: Math.round(357.9 * MiB),
      total: 4 * GiB,
      bytesPerSecond: Math.round(586.6 * MiB),
    })
  })

  it('recognises the three ways a run ends', () => {
    expect(lines.at(-1)?.outcome).toBe('finished')
    expect(
      parseMigrationLine(
        "2025-01-04 00:34:42 ERROR: migration aborted (duration 00:00:03): can't migrate VM - check log",
      ),
    ).toMatchObject({
      error: true,
      outcome: 'aborted',
    })
    expect(
      parseMigrationLine(
        '2025-01-04 00:34:42 ERROR: migration finished with problems (duration 00:00:40)',
      ).outcome,
    ).toBe('problems')
  })

  it('reads an error line and a line without a time', () => {
    const line = parseMigrationLine(
      "2025-01-04 00:34:24 ERROR: can't migrate local disk 'local-lvm:vm-100-disk-0': can't live migrate attached local disks without with-local-disks option",
    )
    expect(line.error).toBe(true)
    expect(line.text).toMatch(/^can't migrate local disk/)
    expect(parseMigrationLine('migration aborted')).toEqual({
      error: false,
      text: 'migration aborted',
    })
  })
})

describe('parseUpid', () => {
  it.each(readFixture('upids.txt').trimEnd().split('\n'))('reads the real UPID %s', (upid) => {
    expect(parseUpid(upid)?.upid).toBe(upid)
  })

  it('takes a UPID apart, with the quotes pvesh prints', () => {
    expect(parseUpid('"UPID:pve:0000EAE0:000A9DDE:695FF642:qmstart:9201:root@pam:"')).toEqual({
      upid: 'UPID:pve:0000EAE0:000A9DDE:695FF642:qmstart:9201:root@pam:',
      node: 'pve',
      pid: 0xeae0,
      pstart: 0xa9dde,
      starttime: 0x695ff642,
      type: 'qmstart',
      id: '9201',
      user: 'root@pam',
    })
  })

  it('reads an empty id, a 9-digit pstart and a token user', () => {
    expect(parseUpid('UPID:pve2:00001234:1000A9C68:695FF63E:vncshell::root@pam:')?.id).toBe('')
    expect(
      parseUpid('UPID:pve:00001234:000A9C68:695FF63E:qmstart:100:svc@pve!pve-qemu:')?.user,
    ).toBe('svc@pve!pve-qemu')
  })

  it.each([
    'UPID:pve:0000ea7f:000A9C68:695FF63E:qmstop:200:root@pam:',
    'UPID:pve:0000EA7F:000A9C68:695FF63E:qmstop:200:root@pam',
    'pve:0000EA7F:000A9C68:695FF63E:qmstop:200:root@pam:',
    '',
  ])('refuses %j', (text) => {
    expect(parseUpid(text)).toBeUndefined()
  })
})

describe('parseTaskStatus', () => {
  const base = {
    upid: 'UPID:pve:0000EA7F:000A9C68:695FF63E:qmstop:200:root@pam:',
    node: 'pve',
    pid: 60031,
    pstart: 646248,
    starttime: 1767896638,
    type: 'qmstop',
    id: '200',
    user: 'root@pam',
  }
  it.each([
    [
      { ...base, status: 'running' },
      { status: 'running', succeeded: false },
    ],
    [
      { ...base, status: 'stopped', exitstatus: 'OK' },
      { status: 'stopped', exitstatus: 'OK', succeeded: true },
    ],
    [
      { ...base, status: 'stopped', exitstatus: 'WARNINGS: 2' },
      { status: 'stopped', exitstatus: 'WARNINGS: 2', succeeded: true },
    ],
    [
      { ...base, status: 'stopped', exitstatus: 'VM 200 already running' },
      { status: 'stopped', exitstatus: 'VM 200 already running', succeeded: false },
    ],
  ])('reads %j', (data, expected) => {
    expect(parseTaskStatus(data)).toEqual(expected)
  })
})
