import { learnGuestAddresses } from '../../learn-guest-addresses.js'
import { guestSession, type InstallContext } from '../context.js'
import { dynamicFamilies } from '../network-choice.js'
import type { StepHandle } from '../../progress.js'
import { initScriptOf } from './ssh-initialization.js'
import type { Stage } from './stage.js'

/** GUEST_SSH_TIMEOUT's default, for deps that do not say. */
const defaultAgentTimeoutMs = 300_000

/**
 * Starts the VM and waits until it answers SSH with the service's key; a VM that learns an
 * address at boot (DHCP, SLAAC) is first asked for it through its guest agent.
 */
export const waitingForReady: Stage = {
  name: 'VM initialization > waiting for ready',
  async run(ctx, step) {
    const node = ctx.vmNode ?? ctx.createNode
    step.processing('VM starting')
    if (ctx.ip !== '') ctx.deps.guest.forgetHost(ctx.ip)
    await ctx.deps.cluster.startVm(node, ctx.vmid, {
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    })
    // the password hash costs CPU time: spent now, while the guest boots, not after it answers
    initScriptOf(ctx)
    await learnAddresses(ctx, step, node)
    step.processing(`waiting for SSH on ${ctx.ip}`)
    // the login is kept: the first-boot script and the reboot check run on it
    await guestSession(ctx).waitForSsh({ signal: ctx.signal })
    step.success('VM is ready')
  },
}

/** A DHCP or SLAAC VM: its addresses, as the guest agent reports them once it booted. */
async function learnAddresses(ctx: InstallContext, step: StepHandle, node: string): Promise<void> {
  const need = dynamicFamilies(ctx.network)
  if (!need.ipv4 && !need.ipv6) return
  step.processing('asking the guest agent for the address the VM got')
  const found = await learnGuestAddresses(
    ctx.deps.cluster,
    { node, vmid: ctx.vmid },
    {
      need,
      timeoutMs: ctx.deps.agentTimeoutMs ?? defaultAgentTimeoutMs,
      signal: ctx.signal,
      onAttempt: (attempt, reason) => {
        if (attempt === 1 || attempt % 20 === 0) step.line(`no address yet (${reason})`)
      },
    },
  )
  const v4 = found.find((entry) => entry.family === 'ipv4')?.address
  const v6 = found.find((entry) => entry.family === 'ipv6')?.address
  if (need.ipv4 && v4 !== undefined) ctx.ip = v4
  if (need.ipv6 && v6 !== undefined) ctx.ip6 = v6
  // an IPv6-only VM is reached over IPv6
  if (ctx.ip === '' && ctx.ip6 !== undefined) ctx.ip = ctx.ip6
  ctx.deps.guest.forgetHost(ctx.ip)
  step.processing(
    `the guest agent reports ${found.map((entry) => entry.address).join(', ')} (network ${ctx.network.name})`,
  )
}
