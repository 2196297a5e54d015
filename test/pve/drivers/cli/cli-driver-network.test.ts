import { describe, expect, it } from 'vitest'

import { createCliDriver } from '../../../../src/pve/drivers/cli/index.js'
import { createScriptedExecutors, type ScriptedCall } from './scripted-executor.js'

type Answer = (call: ScriptedCall) => { stdout?: string; stderr?: string; exitCode?: number }

function setup(answer: Answer) {
  const scripted = createScriptedExecutors(answer)
  const driver = createCliDriver({
    mainNode: 'pve1',
    executorFor: scripted.executorFor,
    log: { debug: () => undefined },
  })
  return { driver, calls: scripted.calls }
}

/** What `qm guest cmd 101 network-get-interfaces` prints: Perl's pretty JSON (pve.md §2.11). */
const agentOutput = `[
   {
      "hardware-address" : "00:00:00:00:00:00",
      "ip-addresses" : [
         {
            "ip-address" : "127.0.0.1",
            "ip-address-type" : "ipv4",
            "prefix" : 8
         }
      ],
      "name" : "lo"
   },
   {
      "hardware-address" : "BC:24:11:3B:FC:BD",
      "ip-addresses" : [
         {
            "ip-address" : "10.2.16.80",
            "ip-address-type" : "ipv4",
            "prefix" : 21
         },
         {
            "ip-address" : "2001:db8::be24:11ff:fe3b:fcbd",
            "ip-address-type" : "ipv6",
            "prefix" : 64
         }
      ],
      "name" : "eth0",
      "statistics" : {
         "rx-bytes" : 1024
      }
   },
   {
      "hardware-address" : "bc:24:11:00:00:02",
      "name" : "eth1"
   }
]
`

describe('cli driver: bridges and the guest agent', () => {
  it("reads a node's bridges with pvesh on the main node, Linux and OVS, nothing else", async () => {
    const list = [
      { iface: 'eno1', type: 'eth', active: 1 },
      { iface: 'vmbr0', type: 'bridge', active: 1, bridge_vlan_aware: 1 },
      { iface: 'vmbr1', type: 'bridge', active: 1 },
      { iface: 'vmbr2', type: 'OVSBridge' },
    ]
    const { driver, calls } = setup(() => ({ stdout: `${JSON.stringify(list)}\n` }))
    expect(await driver.nodeBridges('pve2')).toEqual([
      { iface: 'vmbr0', type: 'bridge', vlanAware: true, active: true },
      { iface: 'vmbr1', type: 'bridge', vlanAware: false, active: true },
      { iface: 'vmbr2', type: 'OVSBridge', vlanAware: true, active: false },
    ])
    expect(calls).toEqual([
      {
        node: 'pve1',
        argv: [
          'pvesh',
          'get',
          '/nodes/pve2/network',
          '--type',
          'any_bridge',
          '--output-format',
          'json',
        ],
      },
    ])
  })

  it("asks the agent on the VM's own node and reads its pretty JSON", async () => {
    const { driver, calls } = setup(() => ({ stdout: agentOutput }))
    expect(await driver.guestInterfaces('pve2', 101)).toEqual([
      {
        name: 'lo',
        mac: '00:00:00:00:00:00',
        addresses: [{ address: '127.0.0.1', family: 'ipv4', prefix: 8 }],
      },
      {
        name: 'eth0',
        mac: 'bc:24:11:3b:fc:bd',
        addresses: [
          { address: '10.2.16.80', family: 'ipv4', prefix: 21 },
          { address: '2001:db8::be24:11ff:fe3b:fcbd', family: 'ipv6', prefix: 64 },
        ],
      },
      { name: 'eth1', mac: 'bc:24:11:00:00:02', addresses: [] },
    ])
    expect(calls).toEqual([
      { node: 'pve2', argv: ['qm', 'guest', 'cmd', '101', 'network-get-interfaces'] },
    ])
  })

  it('turns the agent refusals into kinds a caller can wait on', async () => {
    const cases: [string, string][] = [
      ['No QEMU guest agent configured', 'agent_unavailable'],
      ['QEMU guest agent is not running', 'agent_unavailable'],
      [
        "VM 101 qga command 'guest-network-get-interfaces' failed - got timeout",
        'agent_unavailable',
      ],
      [
        "VM 101 qmp command 'guest-network-get-interfaces' failed - got timeout",
        'agent_unavailable',
      ],
      ['VM 101 is not running', 'vm_not_running'],
      // a QMP timeout of anything but the agent stays a plain failure
      ["VM 101 qmp command 'query-status' failed - got timeout", 'failed'],
    ]
    for (const [stderr, kind] of cases) {
      const { driver } = setup(() => ({ exitCode: 255, stderr: `${stderr}\n` }))
      await expect(driver.guestInterfaces('pve2', 101)).rejects.toMatchObject({
        kind,
        message: stderr,
      })
    }
  })

  it('reports an answer that is no JSON as a Proxmox failure, not a crash', async () => {
    const { driver } = setup(() => ({ stdout: 'garbage\n' }))
    await expect(driver.guestInterfaces('pve1', 100)).rejects.toMatchObject({
      kind: 'failed',
      message: expect.stringContaining('unexpected answer from qm guest cmd') as unknown,
    })
  })
})
