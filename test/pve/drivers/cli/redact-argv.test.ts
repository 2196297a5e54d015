import { describe, expect, it } from 'vitest'

import { commandKey } from '../../../../src/pve/drivers/cli/command-counter.js'
import { redactArgv } from '../../../../src/pve/drivers/cli/redact-argv.js'

describe('redactArgv', () => {
  it.each([
    [
      ['qm', 'set', '1', '--cipassword', 's3cret'],
      ['qm', 'set', '1', '--cipassword', '<redacted>'],
    ],
    [
      ['qm', 'set', '1', '-cipassword', 's3cret'],
      ['qm', 'set', '1', '-cipassword', '<redacted>'],
    ],
    [
      ['qm', 'set', '1', '--cipassword=s3cret'],
      ['qm', 'set', '1', '--cipassword=<redacted>'],
    ],
    [
      ['qm', 'set', '1', '--name', 'cipassword'],
      ['qm', 'set', '1', '--name', 'cipassword'],
    ],
  ])('%j', (argv, expected) => {
    expect(redactArgv(argv)).toEqual(expected)
  })
})

describe('commandKey', () => {
  it.each([
    [['qm', 'start', '100'], 'qm start'],
    [['/usr/sbin/qm', 'disk', 'resize', '100', 'scsi0', '+1G'], 'qm disk resize'],
    [['pvesh', 'get', '/cluster/resources'], 'pvesh get'],
    [['pvesm', 'status'], 'pvesm status'],
    [['qm'], 'qm'],
  ])('%j counts as %s', (argv, key) => {
    expect(commandKey(argv)).toBe(key)
  })
})
