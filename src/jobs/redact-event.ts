import type { StepEvent } from '../provision/progress.js'

/**
 * What is stored and replayed in place of a sensitive event (a generated password): its label
 * and step, not its value. `Password: abc` becomes `Password: (shown once …)`.
 */
export function redactEvent(event: StepEvent): StepEvent {
  const label = event.message.split(':')[0] ?? event.message
  return {
    step: event.step,
    status: event.status,
    message: `${label}: (shown once to the live stream; not stored)`,
    ...(event.vmId === undefined ? {} : { vmId: event.vmId }),
    ...(event.ip === undefined ? {} : { ip: event.ip }),
  }
}
