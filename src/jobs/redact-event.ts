import type { StepEvent } from '../provision/progress.js'

/**
 * What is stored and replayed in place of a sensitive event (a generated password): its label
 * and step, not its value, and how its owner gets it back. `Password: abc` becomes
 * `Password: (not stored; …)`.
 */
export function redactEvent(event: StepEvent, jobId: string): StepEvent {
  const label = event.message.split(':')[0] ?? event.message
  return {
    step: event.step,
    status: event.status,
    message: `${label}: (not stored; whoever started the job can get it once within 24 h: pve-qemu credentials ${jobId}, or GET /api/jobs/${jobId}/credentials)`,
    ...(event.vmId === undefined ? {} : { vmId: event.vmId }),
    ...(event.ip === undefined ? {} : { ip: event.ip }),
  }
}
