import { die } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import {
  agentEnabled,
  agentRunning,
  networkGetInterfaces,
  takeAgentTimeout,
} from '../network/guest-agent.js'
import { configMissing, requireVm } from '../operations/vm-lock.js'
import { pathNode } from './node.js'

/** The commands of qemu-server PVE/API2/Qemu/Agent.pm (`$guest_agent_commands`), sorted. */
const agentCommands = [
  'fsfreeze-freeze',
  'fsfreeze-status',
  'fsfreeze-thaw',
  'fstrim',
  'get-fsinfo',
  'get-host-name',
  'get-memory-block-info',
  'get-memory-blocks',
  'get-osinfo',
  'get-time',
  'get-timezone',
  'get-users',
  'get-vcpus',
  'info',
  'network-get-interfaces',
  'ping',
  'shutdown',
  'suspend-disk',
  'suspend-hybrid',
  'suspend-ram',
] as const

/**
 * One agent command, as Agent.pm's `register_command` runs it: the config must exist on this
 * node (`load_config`), then `assert_agent_available` (qemu-server PVE/QemuServer/Agent.pm):
 * `No QEMU guest agent configured`, `VM <id> is not running`, `QEMU guest agent is not running`;
 * then the qga command, which may time out (pve.md §2.11). Answers `{ result: ... }`.
 */
function runAgentCommand(rc: RouteContext, command: string): { data: { result: unknown } } {
  const node = pathNode(rc)
  const vmid = Number(rc.params.vmid)
  const vm = requireVm(rc.sim, node.name, vmid, configMissing(node.name, vmid))
  if (!agentEnabled(vm.config)) die('No QEMU guest agent configured')
  if (vm.power !== 'running') die(`VM ${vmid} is not running`)
  if (!agentRunning(rc.sim, vm)) die('QEMU guest agent is not running')
  if (takeAgentTimeout(rc.sim, vmid))
    die(`VM ${vmid} qga command 'guest-${command}' failed - got timeout`)
  switch (command) {
    case 'ping':
      return { data: { result: {} } }
    case 'network-get-interfaces':
      return { data: { result: networkGetInterfaces(rc.sim, vm) } }
    default:
      // the simulated guest implements only what the service asks of an agent
      return die(
        `VM ${vmid} qga command 'guest-${command}' failed - The command guest-${command} has not been found`,
      )
  }
}

const common = { node: nodeSpec, vmid: vmidSpec }

function fixedCommand(command: string) {
  return (rc: RouteContext) => {
    verifyParams(rc.params, tableLookup(common), rc.caller)
    return runAgentCommand(rc, command)
  }
}

/** The old `POST …/agent` endpoint with `command` (what `qm guest cmd` calls). */
function anyCommand(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({ ...common, command: { type: 'string', enum: agentCommands } }),
    rc.caller,
  )
  return runAgentCommand(rc, values.command ?? '')
}

/** PVE 9 replaced VM.Monitor by VM.GuestAgent.* (pve.md §10 note 12); reading the guest's
 * interfaces and pinging its agent are audits. */
const agentAudit = (p: Readonly<Record<string, string>>): [string, string] => [
  `/vms/${p.vmid ?? ''}`,
  'VM.GuestAgent.Audit',
]

export const qemuAgentRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/agent',
    permission: agentAudit,
    handler: anyCommand,
  },
  {
    method: 'POST',
    pattern: '/nodes/{node}/qemu/{vmid}/agent/ping',
    permission: agentAudit,
    handler: fixedCommand('ping'),
  },
  {
    method: 'GET',
    pattern: '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces',
    permission: agentAudit,
    handler: fixedCommand('network-get-interfaces'),
  },
]
