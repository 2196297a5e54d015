import { vmidArgument } from '../args.js'
import { exitCodes } from '../errors.js'
import type { Command, CommandContext } from './command.js'
import { runStreamed } from './watch-stream.js'

/** A quick action answering `ok` (stop, shutdown). */
function plainAction(name: 'stop' | 'shutdown', summary: string, done: string): Command {
  return {
    name,
    usage: `pve-qemu ${name} <vmid> [--json]`,
    summary,
    async run(context) {
      const vmid = vmidArgument(context.positionals, 0, this.usage)
      await context
        .client()
        .text(`/api/vm/${vmid}/${name}`, { method: 'POST', signal: context.signal })
      report(context, vmid, name, `VM ${vmid} ${done}`)
      return exitCodes.ok
    },
  }
}

/** A streamed action followed until the VM is ready (start, reboot). */
function streamedAction(name: 'start' | 'reboot', summary: string, done: string): Command {
  return {
    name,
    usage: `pve-qemu ${name} <vmid> [--json]`,
    summary,
    async run(context) {
      const vmid = vmidArgument(context.positionals, 0, this.usage)
      const outcome = await runStreamed(context, `/api/vm/${vmid}/${name}`, { method: 'POST' })
      if (outcome.exitCode === exitCodes.ok && !context.json) {
        context.out.line(context.out.style.paint('green', `✓ VM ${vmid} ${done}`))
      }
      return outcome.exitCode
    },
  }
}

function report(context: CommandContext, vmid: number, action: string, text: string): void {
  if (context.json) context.out.json({ vmid, action, result: 'ok' })
  else context.out.line(context.out.style.paint('green', `✓ ${text}`))
}

export const startCommand = streamedAction(
  'start',
  'start a VM and wait until it is ready',
  'is running',
)
export const rebootCommand = streamedAction(
  'reboot',
  'reboot a VM and wait until it is ready again',
  'rebooted',
)
export const stopCommand = plainAction('stop', 'hard-stop a VM (like pulling the plug)', 'stopped')
export const shutdownCommand = plainAction(
  'shutdown',
  'shut a VM down cleanly (ACPI) and wait',
  'shut down',
)
