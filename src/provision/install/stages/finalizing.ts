import type { InstallContext } from '../context.js'
import { isSeedNetwork } from '../network-choice.js'
import type { InstallResult, StepHandle } from '../../progress.js'

/** The closing facts: total time, VMID, IP, user — and a generated password, shown once. */
export function finalize(ctx: InstallContext, step: StepHandle, totalSeconds: number): void {
  const where = { vmId: ctx.vmid, ip: ctx.ip }
  step.done(`VM installation completed in ${totalSeconds.toFixed(2)}s`, where)
  step.fact(`VMID: ${ctx.vmid}`, where)
  step.fact(`IP: ${ctx.ip}`, where)
  if (ctx.ip6 !== undefined && ctx.ip6 !== ctx.ip) step.fact(`IPv6: ${ctx.ip6}`, where)
  if (!isSeedNetwork(ctx.network)) step.fact(`Network: ${ctx.network.name}`, where)
  if (ctx.passwordGenerated && ctx.password !== undefined) {
    step.fact(`Password: ${ctx.password}`, { ...where, sensitive: true })
  }
  step.fact(`User: ${ctx.user}`, { ...where, result: installResult(ctx) })
}

/** The result a program reads from the last event: VMID, IP, node, user and the SSH command. */
export function installResult(ctx: InstallContext): InstallResult {
  const addresses = [...new Set([ctx.ip, ...(ctx.ip6 === undefined ? [] : [ctx.ip6])])]
  return {
    vmid: ctx.vmid,
    ip: ctx.ip,
    node: ctx.vmNode ?? ctx.targetNode,
    user: ctx.user,
    ssh: sshCommand(ctx.user, ctx.ip, ctx.deps.guestSshPort),
    // the seed's network keeps the result as it always was
    ...(isSeedNetwork(ctx.network) && ctx.ip6 === undefined
      ? {}
      : { network: ctx.network.name, addresses }),
  }
}

/** `ssh user@ip`, with `-p` when the port is not SSH's own. */
export function sshCommand(user: string, ip: string, port: number): string {
  return port === 22 ? `ssh ${user}@${ip}` : `ssh -p ${port} ${user}@${ip}`
}
