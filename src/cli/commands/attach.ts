import { stringFlag } from '../args.js'
import { jobEventsPath } from '../api/follow-job.js'
import { exitCodes, usageError } from '../errors.js'
import { printInstallSummary } from '../progress/summary.js'
import type { Command } from './command.js'
import { fetchJob } from './job-summary.js'
import { runStreamed } from './watch-stream.js'

/** `attach <job>`: replays a job's events and follows it live until it ends. */
export const attachCommand: Command = {
  name: 'attach',
  usage: 'pve-qemu attach <job-id> [--after N] [--json]',
  summary: 'show a job from its start (or after event N) and follow it until it ends',
  options: { after: { type: 'string' } },
  async run(context) {
    const id = context.positionals[0]
    if (id === undefined)
      throw usageError(`missing job id (see pve-qemu jobs); usage: ${this.usage}`)
    const after = stringFlag(context.values, 'after')
    if (after !== undefined && !/^\d+$/.test(after))
      throw usageError(`--after: "${after}" is not an event number`)
    const job = await fetchJob(context.client(), id, context.signal)
    const outcome = await runStreamed(
      context,
      jobEventsPath(job.id),
      { method: 'GET' },
      after === undefined ? {} : { lastEventId: after },
    )
    if (outcome.board === undefined || context.json) return outcome.exitCode
    if (outcome.exitCode !== exitCodes.ok) return outcome.exitCode
    if (job.type === 'install') printInstallSummary(outcome.board, context.out)
    else
      context.out.line(context.out.style.paint('green', `✓ job ${job.id} (${job.type}) succeeded`))
    return outcome.exitCode
  },
}
