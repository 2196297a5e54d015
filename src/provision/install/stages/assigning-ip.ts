import type { InstallContext } from '../context.js'
import type { Stage } from './stage.js'

/**
 * Holds the VM's addresses in the address book: on the seed's network the gateway's /24 with
 * the VMID as last number; on a static pool the next free address (or the one asked for),
 * checked against the store, the cluster and a probe; on DHCP nothing (the guest agent tells
 * the address once the VM boots). Released if the install fails, the VM's once it succeeds.
 */
export const assigningIp: Stage = {
  name: 'preparation > assigning IP',
  async run(ctx, step) {
    await holdAddresses(ctx)
    step.success(describeAssignment(ctx))
  },
}

/** Holds the install's addresses for its job (released by the rollback) and notes them. */
export async function holdAddresses(ctx: InstallContext): Promise<void> {
  const book = ctx.deps.addresses
  const held = await book.hold(ctx.network, ctx.jobId, {
    vmid: ctx.vmid,
    ...(ctx.request.ip === undefined ? {} : { requestedIp: ctx.request.ip }),
    signal: ctx.signal,
  })
  ctx.undo.push(async () => {
    book.release(ctx.jobId)
  })
  ctx.held = held
  ctx.ip = held.ipv4 ?? ''
  ctx.ip6 = held.ipv6
}

/** `assigned IP: 10.0.0.5/22 (network lan), IPv6: 2001:db8::5/64`; the seed's words on its network. */
function describeAssignment(ctx: InstallContext): string {
  const { network } = ctx
  const v4 = network.ipv4
  if (v4.mode === 'seed' && network.ipv6 === undefined) return `assigned IP: ${ctx.ip}/24`
  const parts: string[] = []
  if (v4.mode === 'dhcp') parts.push('IPv4 from DHCP (learnt from the guest agent at boot)')
  else parts.push(`assigned IP: ${ctx.ip}/${v4.mode === 'seed' ? 24 : v4.prefixLength}`)
  const v6 = network.ipv6
  if (v6?.mode === 'static') parts.push(`IPv6: ${ctx.ip6 ?? ''}/${v6.prefixLength}`)
  else if (v6 !== undefined) parts.push(`IPv6 by ${v6.mode === 'slaac' ? 'SLAAC' : 'DHCPv6'}`)
  return `${parts.join(', ')} (network ${network.name})`
}
