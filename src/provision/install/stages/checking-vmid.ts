import { PveError } from '../../../pve/errors.js'
import { InvalidInputError } from '../../errors.js'
import type { InstallContext } from '../context.js'
import { ipForVmid } from '../ip-address.js'
import type { Stage } from './stage.js'

/**
 * Picks the VMID: the one asked for, checked, or the first in ASSIGN_IP_START..END that is no VM
 * in the cluster, not held by another install and not answering on its IP. The choice is held in
 * the reservation store until the install ends.
 */
export const checkingVmid: Stage = {
  name: 'preparation > checking VMID',
  async run(ctx, step) {
    step.processing('start VM installation')
    const { network } = ctx.deps
    const { vms } = await ctx.deps.cluster.resources({ signal: ctx.signal })
    const taken = new Set(vms.map((vm) => vm.vmid))
    const requested = ctx.request.id
    if (requested !== undefined) {
      if (requested < network.ipStart || requested > network.ipEnd) {
        throw new InvalidInputError(
          'id',
          `must be from ${network.ipStart} to ${network.ipEnd} (ASSIGN_IP_START..ASSIGN_IP_END)`,
        )
      }
      if (taken.has(requested)) throw new InvalidInputError('id', `VM ${requested} already exists`)
      if (!hold(ctx, requested))
        throw new InvalidInputError('id', `VM ${requested} is being installed by another request`)
      step.success(`using VMID: ${requested}`)
      return
    }
    const vmid = await autoAssignVmid(ctx, taken)
    step.success(`auto-assigned VMID: ${vmid}`)
  },
}

/**
 * Holds the first VMID of the range that is not in `taken`, not held by another install and
 * not answering on its IP; sets `ctx.vmid`.
 */
export async function autoAssignVmid(
  ctx: InstallContext,
  taken: ReadonlySet<number>,
): Promise<number> {
  const { network, reservations } = ctx.deps
  for (let vmid = network.ipStart; vmid <= network.ipEnd; vmid += 1) {
    if (taken.has(vmid) || reservations.reserved().has(vmid)) continue
    if (await ctx.deps.guest.isAnswering(ipForVmid(network.gateway, vmid), ctx.signal)) continue
    if (hold(ctx, vmid)) return vmid
  }
  throw new PveError('failed', `no free VMID in ${network.ipStart}..${network.ipEnd}`)
}

function hold(ctx: InstallContext, vmid: number): boolean {
  if (!ctx.deps.reservations.reserve(vmid, ctx.jobId)) return false
  ctx.vmid = vmid
  ctx.undo.push(async () => {
    ctx.deps.reservations.release(vmid, ctx.jobId)
  })
  return true
}
