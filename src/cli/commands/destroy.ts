import { booleanFlag, vmidArgument } from '../args.js'
import { exitCodes, usageError } from '../errors.js'
import type { Command } from './command.js'
import { fetchVmList } from './vm-list.js'

/** `destroy <vmid>`: asks first (naming the VM) unless `--yes`. */
export const destroyCommand: Command = {
  name: 'destroy',
  usage: 'pve-qemu destroy <vmid> [--yes] [--json]',
  summary: 'stop a VM if needed and delete it with all its disks',
  options: { yes: { type: 'boolean', short: 'y' } },
  async run(context) {
    const { out, signal } = context
    const vmid = vmidArgument(context.positionals, 0, this.usage)
    if (!booleanFlag(context.values, 'yes')) {
      if (context.ask === undefined || context.json) {
        throw usageError(`destroying VM ${vmid} needs confirmation: add --yes`)
      }
      const listing = await fetchVmList(context.client(), signal)
      const vm = listing.vms.find((entry) => entry.vmid === vmid)
      const what =
        vm === undefined
          ? `VM ${vmid}`
          : `VM ${vmid} (${vm.name} on ${vm.node}, ${vm.running ? 'running' : 'stopped'})`
      const yes = await context.ask(`Destroy ${what} and all its disks?`)
      if (!yes) {
        out.note('not destroyed')
        return exitCodes.failed
      }
    }
    await context.client().text(`/api/vm/${vmid}/destroy`, { method: 'POST', signal })
    if (context.json) out.json({ vmid, action: 'destroy', result: 'ok' })
    else out.line(out.style.paint('green', `✓ VM ${vmid} destroyed`))
    return exitCodes.ok
  },
}
