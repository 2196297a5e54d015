import { describe, expect, it } from 'vitest'

import {
  parseToolError,
  toolErrorToPveError,
} from '../../../../../src/pve/drivers/cli/parse/tool-error.js'
import { readFixture } from '../../../../fixtures/pve/fixture.js'

describe('parseToolError', () => {
  it('reads a 400 block raised by a handler: message, parameters, usage', () => {
    const error = parseToolError(readFixture('pvesh-nextid-exists.stderr'))
    expect(error).toEqual({
      message: 'vmid: VM 100 already exists',
      parameters: { vmid: 'VM 100 already exists' },
      status: 400,
      usage: ['pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]'],
    })
    expect(toolErrorToPveError(error, 'pvesh failed').kind).toBe('vm_exists')
  })

  it('reads a format validator 400 block, with its blank line before the usage', () => {
    const error = parseToolError(readFixture('param-error-format.stderr'))
    expect(error.parameters).toEqual({
      node: 'invalid format - value does not look like a valid node name',
    })
    expect(error.usage).toEqual(['pvecm delnode <node>'])
    const pveError = toolErrorToPveError(error, 'failed')
    expect(pveError.kind).toBe('invalid_parameter')
    expect(pveError.parameters).toEqual(error.parameters)
  })

  it('reads several parameter lines, including a nested property', () => {
    const stderr = [
      '400 Parameter verification failed.',
      'scsi0: invalid format - format error',
      'scsi0.foo: property is not defined in schema and the schema does not allow additional properties',
      "memory: type check ('integer') failed - got 'abc'",
      'qm set <vmid> [OPTIONS]',
      '',
    ].join('\n')
    expect(parseToolError(stderr).parameters).toEqual({
      scsi0: 'invalid format - format error',
      'scsi0.foo':
        'property is not defined in schema and the schema does not allow additional properties',
      memory: "type check ('integer') failed - got 'abc'",
    })
  })

  it('reads an unknown option as a parameter error naming the option', () => {
    const error = parseToolError(
      'Unknown option: foo\n400 unable to parse option\nqm start <vmid> [OPTIONS]\n',
    )
    expect(error.parameters).toEqual({ foo: 'unknown option' })
    expect(error.message).toBe('unable to parse option (foo: unknown option)')
    expect(toolErrorToPveError(error, 'x').kind).toBe('invalid_parameter')
  })

  it('reads argument count errors as invalid parameters', () => {
    const error = parseToolError('400 not enough arguments\nqm start <vmid> [OPTIONS]\n')
    expect(error.message).toBe('not enough arguments')
    expect(toolErrorToPveError(error, 'x').kind).toBe('invalid_parameter')
  })

  it.each([
    ["Configuration file 'nodes/pve/qemu-server/999.conf' does not exist\n", 'vm_not_found'],
    ["unable to find configuration file for VM 101 on node 'pve'\n", 'vm_not_found'],
    ["unable to create VM 100 - VM 100 already exists on node 'pve'\n", 'vm_exists'],
    ['VM is locked (create)\n', 'vm_locked'],
    ['VM 100 already running\n', 'vm_running'],
    ['VM 100 is running - destroy failed\n', 'vm_running'],
    ['VM 100 not running\n', 'vm_not_running'],
    ['shrinking disks is not supported\n', 'shrink_refused'],
    ["storage 'nosuch' does not exist\n", 'storage'],
    ["no such cluster node 'pve9'\n", 'node'],
    [
      "trying to acquire lock...\ncan't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout\n",
      'lock_timeout',
    ],
    [
      "trying to acquire lock...can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout\n",
      'lock_timeout',
    ],
    [
      "trying to acquire cfs lock 'storage-nfs-shared' ...\nclone failed: cfs-lock 'storage-nfs-shared' error: got lock request timeout\n",
      'lock_timeout',
    ],
    ["cfs-lock 'storage-nfs-shared' error: no quorum!\n", 'failed'],
    ['WARN: something odd\nmigration aborted\n', 'failed'],
    [
      '595 Errors during connection establishment, proxy handshake: No route to host\n',
      'unreachable',
    ],
  ])('classifies the die message %j', (stderr, kind) => {
    const error = parseToolError(stderr)
    expect(error.message).not.toMatch(/trying to acquire|WARN/)
    expect(toolErrorToPveError(error, 'x').kind).toBe(kind)
  })

  it('reads an unknown command without its usage list', () => {
    const stderr =
      "ERROR: unknown command 'qm foo'\nUSAGE: qm <COMMAND> [ARGS] [OPTIONS]\n       qm agent <vmid> <command>\n"
    const error = parseToolError(stderr)
    expect(error.message).toBe("unknown command 'qm foo'")
    expect(error.usage[0]).toBe('USAGE: qm <COMMAND> [ARGS] [OPTIONS]')
  })

  it('falls back to the given text when stderr is empty', () => {
    expect(toolErrorToPveError(parseToolError(''), 'qm start exited with 255').message).toBe(
      'qm start exited with 255',
    )
  })
})

describe('parseToolError with several validator messages', () => {
  it('reads parameter lines separated by the blank lines their newlines leave', () => {
    const stderr = [
      '400 Parameter verification failed.',
      'name: invalid format - value does not look like a valid DNS name',
      '',
      'vmid: invalid format - value does not look like a valid VM ID',
      '',
      'qm create <vmid> [OPTIONS]',
      '',
    ].join('\n')
    const error = parseToolError(stderr)
    expect(Object.keys(error.parameters)).toEqual(['name', 'vmid'])
    expect(error.usage).toEqual(['qm create <vmid> [OPTIONS]'])
  })
})
