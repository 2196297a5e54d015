import { vmidArgument } from '../args.js'
import { readFields, type JsonFields } from '../api/read-json.js'
import { exitCodes } from '../errors.js'
import { formatTable } from '../output/table.js'
import type { Command } from './command.js'
import { readJob } from './job-summary.js'

/** `info <vmid>`: where a VM runs, how to reach it, its configuration and its jobs. */
export const infoCommand: Command = {
  name: 'info',
  usage: 'pve-qemu info <vmid> [--json]',
  summary:
    'one VM: node, state, uptime, IP and every other address, network, the SSH command, config, pending changes, jobs',
  async run({ client, out, json, positionals, signal }) {
    const vmid = vmidArgument(positionals, 0, this.usage)
    const reply: unknown = await client().getJson(`/api/vm/${vmid}/info`, { signal })
    if (json) {
      out.json(readFields(reply, 'VM info').has('vm') ? pick(reply) : reply)
      return exitCodes.ok
    }
    const vm = readFields(reply, 'VM info').object('vm')
    const { style } = out
    const running = vm.string('status') === 'running'
    const rows: [string, string | undefined][] = [
      ['VMID', String(vm.number('vmid'))],
      ['Name', vm.string('name')],
      ['Node', vm.string('node')],
      ['State', style.paint(running ? 'green' : 'dim', vm.string('status'))],
      ['Uptime', running ? uptime(vm.number('uptime')) : undefined],
      ['OS', vm.string('os') || undefined],
      ['IP', vm.optionalString('ip')],
      ['Address', otherAddresses(vm)],
      ['Network', vm.optionalString('network')],
      ['User', vm.optionalString('user')],
      ['SSH', vm.optionalString('ssh')],
    ]
    for (const [key, value] of rows)
      if (value !== undefined)
        out.line(`${key.padEnd(8)} ${key === 'SSH' ? style.paint('bold', value) : value}`)
    const pending = vm.has('pending') ? entries(vm.object('pending')) : []
    if (pending.length > 0) {
      out.line()
      out.line(style.paint('yellow', 'Pending (applies at next restart):'))
      for (const [key, value] of pending) out.line(`  ${key} → ${value}`)
    }
    out.line()
    out.line(style.paint('bold', 'Config'))
    for (const [key, value] of entries(vm.object('config')))
      out.line(`  ${key.padEnd(10)} ${value}`)
    const jobs = vm.array('jobs').map((entry) => readJob(readFields(entry, 'job')))
    out.line()
    if (jobs.length === 0) out.line('no jobs')
    else
      for (const line of formatTable(
        jobs,
        [
          { title: 'JOB', value: (job) => job.id.slice(0, 8) },
          { title: 'TYPE', value: (job) => job.type },
          { title: 'STATE', value: (job) => job.state },
          { title: 'WHEN', value: (job) => job.createdAt ?? '' },
          { title: 'WHAT', value: (job) => job.error ?? job.summary ?? '' },
        ],
        style,
      ))
        out.line(line)
    return exitCodes.ok
  },
}

/** The `vm` object of the answer, as the API gives it (snake_case). */
function pick(reply: unknown): unknown {
  return typeof reply === 'object' && reply !== null && 'vm' in reply ? reply.vm : reply
}

/** The addresses besides `ip` (IPv6, a second NIC), or all of them when there is no IPv4. */
function otherAddresses(vm: JsonFields): string | undefined {
  if (!vm.has('addresses')) return undefined
  const ip = vm.optionalString('ip')
  const rest = vm
    .array('addresses')
    .filter((entry): entry is string => typeof entry === 'string' && entry !== ip)
  return rest.length === 0 ? undefined : rest.join(' ')
}

function entries(fields: JsonFields): [string, string][] {
  return fields.keys().map((key) => [key, fields.optionalString(key) ?? ''])
}

function uptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400)
  const hours = Math.floor((seconds % 86_400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  return days > 0
    ? `${days}d ${hours}h ${minutes}m`
    : hours > 0
      ? `${hours}h ${minutes}m`
      : `${minutes}m`
}
