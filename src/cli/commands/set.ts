import { vmidArgument, wholeNumber } from '../args.js'
import { exitCodes, usageError } from '../errors.js'
import type { Command } from './command.js'
import { runStreamed } from './watch-stream.js'

const usage = 'pve-qemu set cpu|memory|disk|node <vmid> <value> [--json]'

/** `set cpu|memory|disk|node <vmid> <value>`; `node` migrates and is followed live. */
export const setCommand: Command = {
  name: 'set',
  usage,
  summary: 'change vCPUs, memory (MB), grow the disk (e.g. 10G) or migrate to a node',
  details: [
    'pve-qemu set cpu 101 4        vCPU cores',
    'pve-qemu set memory 101 8192  RAM in MB',
    'pve-qemu set disk 101 10G     grow the boot disk by 10G',
    'pve-qemu set node 101 pve2    migrate, following the migration live',
  ],
  async run(context) {
    const { positionals, out, signal } = context
    const field = positionals[0]
    const vmid = vmidArgument(positionals, 1, usage)
    const value = positionals[2]
    if (value === undefined) throw usageError(`missing value; usage: ${usage}`)
    const path = `/api/vm/${vmid}/set/${field ?? ''}`
    let body: Record<string, string | number>
    switch (field) {
      case 'cpu':
      case 'memory':
        body = { [field]: wholeNumber(value, field) ?? 0 }
        break
      case 'disk':
        body = { disk: value }
        break
      case 'node': {
        const outcome = await runStreamed(context, path, { method: 'POST', body: { node: value } })
        if (outcome.exitCode === exitCodes.ok && !context.json) {
          out.line(out.style.paint('green', `✓ VM ${vmid} is on ${value}`))
        }
        return outcome.exitCode
      }
      case undefined:
      default:
        throw usageError(`"${field ?? ''}" cannot be set; usage: ${usage}`)
    }
    await context.client().text(path, { method: 'POST', body, signal })
    if (context.json) out.json({ vmid, action: `set ${field}`, value: body[field], result: 'ok' })
    else out.line(out.style.paint('green', `✓ VM ${vmid}: ${field} set to ${value}`))
    return exitCodes.ok
  },
}
