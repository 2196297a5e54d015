import { vmidArgument } from '../args.js'
import { exitCodes } from '../errors.js'
import type { Command } from './command.js'

/** `status <vmid>`: `running` or `stopped`. */
export const statusCommand: Command = {
  name: 'status',
  usage: 'pve-qemu status <vmid> [--json]',
  summary: 'whether a VM is running or stopped',
  async run({ client, out, json, positionals, signal }) {
    const vmid = vmidArgument(positionals, 0, this.usage)
    const state = await client().text(`/api/vm/${vmid}/status`, { signal })
    if (json) out.json({ vmid, status: state })
    else out.line(state)
    return exitCodes.ok
  },
}
