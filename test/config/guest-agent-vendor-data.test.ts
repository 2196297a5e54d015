import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.js'
import { parseProblems } from '../helpers/config-problems.js'

const rule =
  'GUEST_AGENT_VENDOR_DATA: must be a snippets volume id <storage>:snippets/<file>, such as local:snippets/pve-qemu-agent.yaml'

describe('GUEST_AGENT_VENDOR_DATA', () => {
  it('is unset by default', () => {
    expect(parseConfig({}).install.guestAgentVendorData).toBeUndefined()
  })

  it.each(['local:snippets/pve-qemu-agent.yaml', 'nfs-share.1:snippets/agent_v2.yml'])(
    'takes the snippets volume %s',
    (volid) => {
      expect(parseConfig({ GUEST_AGENT_VENDOR_DATA: volid }).install.guestAgentVendorData).toBe(
        volid,
      )
    },
  )

  it.each([
    // a path on the node, not a volume id
    '/var/lib/vz/snippets/pve-qemu-agent.yaml',
    // a volume outside the snippets directory: qemu-server refuses it at every start
    'local:iso/agent.yaml',
    'local:snippets/',
    'local:snippets/sub/agent.yaml',
    // would break the cicustom property string it is written into
    'local:snippets/a.yaml,user=local:snippets/b.yaml',
    'Local:snippets/agent.yaml',
    'vendor=local:snippets/agent.yaml',
  ])('refuses %s, naming the variable', (value) => {
    expect(parseProblems({ GUEST_AGENT_VENDOR_DATA: value })).toEqual([
      `${rule}, got ${JSON.stringify(value)}`,
    ])
  })
})
