import { exitCodes, usageError } from '../errors.js'
import type { Command } from './command.js'
import { jobJson, readJob } from './job-summary.js'
import { readFields } from '../api/read-json.js'

/** `cancel <job>`: stops a running job; an install rolls back what it made. */
export const cancelCommand: Command = {
  name: 'cancel',
  usage: 'pve-qemu cancel <job-id> [--json]',
  summary: 'cancel a running job (an install removes what it created)',
  async run({ client, out, json, positionals, signal }) {
    const id = positionals[0]
    if (id === undefined)
      throw usageError(`missing job id (see pve-qemu jobs); usage: ${this.usage}`)
    const reply = readFields(
      await client().getJson(`/api/jobs/${encodeURIComponent(id)}/cancel`, {
        method: 'POST',
        signal,
      }),
      'cancel answer',
    )
    const job = readJob(reply.object('job'))
    if (json) out.json(jobJson(job))
    else
      out.line(
        out.style.paint(
          'yellow',
          `job ${job.id} (${job.type}) is being cancelled; pve-qemu attach ${job.id} shows the rollback`,
        ),
      )
    return exitCodes.ok
  },
}
