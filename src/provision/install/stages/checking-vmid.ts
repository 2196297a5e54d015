import { PveError } from '../../../pve/errors.js'
import { InvalidInputError } from '../../errors.js'
import type { InstallContext } from '../context.js'
import { ipForVmid } from '../ip-address.js'
import { vmidRange } from '../network-choice.js'
import type { Stage } from './stage.js'

/**
 * Picks the VMID: the one asked for, checked, or the first of the range that is no VM in the
 * cluster and not held by another install — on the seed's network ASSIGN_IP_START..END, and not
 * answering on its IP (the address follows the VMID); on any other network VMID_START..END (the
 * address is the pool's business). The choice is held in the reservation store until the
 * install ends.
 */
export const checkingVmid: Stage = {
  name: 'preparation > checking VMID',
  async run(ctx, step) {
    step.processing('start VM installation')
    const { vms } = await ctx.deps.cluster.resources({ signal: ctx.signal })
    const taken = new Set(vms.map((vm) => vm.vmid))
    const requested = ctx.requestedVmid
    if (requested !== undefined) {
      const field = ctx.request.id === undefined ? 'ip' : 'id'
      const range = vmidRange(ctx.deps, ctx.network)
      if (requested < range.start || requested > range.end) {
        throw new InvalidInputError(
          field,
          `must be from ${range.start} to ${range.end} (${range.names})`,
        )
      }
      if (taken.has(requested)) throw new InvalidInputError(field, `VM ${requested} already exists`)
      if (!hold(ctx, requested))
        throw new InvalidInputError(field, `VM ${requested} is being installed by another request`)
      step.success(`using VMID: ${requested}`)
      return
    }
    const vmid = await autoAssignVmid(ctx, taken)
    step.success(`auto-assigned VMID: ${vmid}`)
  },
}

/**
 * Holds the first VMID of the network's range that is not in `taken`, not held by another
 * install and, on the seed's network, not answering on its IP; sets `ctx.vmid`.
 */
export async function autoAssignVmid(
  ctx: InstallContext,
  taken: ReadonlySet<number>,
): Promise<number> {
  const { reservations } = ctx.deps
  const range = vmidRange(ctx.deps, ctx.network)
  const v4 = ctx.network.ipv4
  for (let vmid = range.start; vmid <= range.end; vmid += 1) {
    if (taken.has(vmid) || reservations.reserved().has(vmid)) continue
    if (
      v4.mode === 'seed' &&
      (await ctx.deps.guest.isAnswering(ipForVmid(v4.gateway, vmid), ctx.signal))
    )
      continue
    if (hold(ctx, vmid)) return vmid
  }
  throw new PveError('failed', `no free VMID in ${range.start}..${range.end} (${range.names})`)
}

function hold(ctx: InstallContext, vmid: number): boolean {
  if (!ctx.deps.reservations.reserve(vmid, ctx.jobId)) return false
  ctx.vmid = vmid
  ctx.undo.push(async () => {
    ctx.deps.reservations.release(vmid, ctx.jobId)
  })
  return true
}
