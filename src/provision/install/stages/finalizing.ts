import type { InstallContext } from '../context.js'
import type { StepHandle } from '../../progress.js'

/** The closing facts: total time, VMID, IP, user — and a generated password, shown once. */
export function finalize(ctx: InstallContext, step: StepHandle, totalSeconds: number): void {
  const where = { vmId: ctx.vmid, ip: ctx.ip }
  step.done(`VM installation completed in ${totalSeconds.toFixed(2)}s`, where)
  step.fact(`VMID: ${ctx.vmid}`, where)
  step.fact(`IP: ${ctx.ip}`, where)
  if (ctx.passwordGenerated && ctx.password !== undefined) {
    step.fact(`Password: ${ctx.password}`, { ...where, sensitive: true })
  }
  step.fact(`User: ${ctx.user}`, where)
}
