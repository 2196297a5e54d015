import { describe, expect, it } from 'vitest'

import { getopt, optionTable } from '../../../../src/sim/faces/cli/getopt.js'

const table = optionTable({
  memory: 'string',
  'memory-hotplug': 'string',
  name: 'string',
  online: 'boolean',
  'with-local-disks': 'boolean',
  delete: 'list',
  sshkeys: 'string',
})

describe('getopt', () => {
  it.each([
    [['100', '--memory', '2048'], { memory: '2048' }],
    [['100', '-memory', '2048'], { memory: '2048' }],
    [['100', '--memory=2048'], { memory: '2048' }],
    [['--memory', '2048', '100'], { memory: '2048' }],
    [['100', '--Memory', '2048'], { memory: '2048' }],
    [['100', '--sshkey', 'file'], { sshkeys: 'file' }],
    [['100', '--name', '-x'], { name: '-x' }],
    [['100', '--name=a=b'], { name: 'a=b' }],
    [['100', '--online'], { online: '1' }],
    [['100', '--online', 'no'], { online: '0' }],
    [['100', '--online', 'YES', '--with-local-disks'], { online: '1', 'with-local-disks': '1' }],
    [['100', '--online', '--name', 'x'], { online: '1', name: 'x' }],
    [['100', '--delete', 'a', '--delete', 'b,c'], { delete: 'a,b,c' }],
    [['100', '--name', 'a', '--name', 'b'], { name: 'b' }],
  ])('%j', (args, options) => {
    expect(getopt(args, table)).toEqual({ positional: ['100'], options })
  })

  it('stops at -- and keeps a lone - as a positional', () => {
    expect(getopt(['-', '--', '--name', 'x'], table)).toEqual({
      positional: ['-', '--name', 'x'],
      options: {},
    })
  })

  it('reports an unknown option as Getopt does', () => {
    expect(getopt(['100', '--foo', 'bar'], table)).toEqual({
      warnings: ['Unknown option: foo'],
      message: 'unable to parse option',
    })
  })

  it('reports an ambiguous abbreviation', () => {
    expect(getopt(['--mem', '1'], table)).toEqual({
      warnings: ['Option mem is ambiguous (memory, memory-hotplug)'],
      message: 'unable to parse option',
    })
  })

  it('reports a missing value and a bad boolean', () => {
    expect(getopt(['100', '--name'], table)).toEqual({
      warnings: ['Option name requires an argument'],
      message: 'unable to parse option',
    })
    expect(getopt(['100', '--online', 'maybe'], table)).toEqual({
      warnings: [],
      message: 'unable to parse boolean option',
    })
  })
})
