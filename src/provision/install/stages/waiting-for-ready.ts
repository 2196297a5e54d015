import { guestSession } from '../context.js'
import { learnInstallAddresses } from '../learn-install-addresses.js'
import { dynamicFamilies } from '../network-choice.js'
import { initScriptOf } from './ssh-initialization.js'
import type { Stage } from './stage.js'

/**
 * Starts the VM and waits until it answers SSH with the service's key; a VM whose IPv4 address
 * comes from DHCP is first asked for it through its guest agent (with its SLAAC/DHCPv6 address,
 * if any). A dynamic IPv6 address beside a static IPv4 one is not needed for SSH: it is asked
 * for after the first-boot script, which starts the agent on images that have none.
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
    const dynamic = dynamicFamilies(ctx.network)
    if (dynamic.ipv4) await learnInstallAddresses(ctx, step, dynamic)
    step.processing(`waiting for SSH on ${ctx.ip}`)
    // the login is kept: the first-boot script and the reboot check run on it
    await guestSession(ctx).waitForSsh({ signal: ctx.signal })
    step.success('VM is ready')
  },
}
