import { learnGuestAddresses } from '../learn-guest-addresses.js'
import type { StepHandle } from '../progress.js'
import type { InstallContext } from './context.js'

/** GUEST_SSH_TIMEOUT's default, for deps that do not say. */
const defaultAgentTimeoutMs = 300_000

/**
 * Asks the VM's guest agent for the addresses of the families `need` names (those its network
 * leaves to DHCP or SLAAC) and keeps them in the context: the IPv4 one is where SSH goes.
 */
export async function learnInstallAddresses(
  ctx: InstallContext,
  step: StepHandle,
  need: { ipv4: boolean; ipv6: boolean },
): Promise<void> {
  const node = ctx.vmNode ?? ctx.createNode
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
  if (need.ipv4 && v4 !== undefined) {
    ctx.ip = v4
    ctx.deps.guest.forgetHost(ctx.ip)
  }
  if (need.ipv6 && v6 !== undefined) ctx.ip6 = v6
  step.processing(
    `the guest agent reports ${found.map((entry) => entry.address).join(', ')} (network ${ctx.network.name})`,
  )
}
