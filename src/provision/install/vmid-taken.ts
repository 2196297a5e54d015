import { PveError } from '../../pve/errors.js'
import type { StepHandle } from '../progress.js'
import type { InstallContext } from './context.js'
import { isSeedNetwork } from './network-choice.js'
import { holdAddresses } from './stages/assigning-ip.js'
import { autoAssignVmid } from './stages/checking-vmid.js'

/** How many VMIDs taken behind our back an install tolerates before giving up. */
const maxIdRetries = 5

/**
 * Whether an install may leave a VMID that Proxmox refused with `already exists` for the next
 * free one: only an id it chose itself (never the request's `id`), and only so many times.
 */
export function mayMoveOn(
  error: unknown,
  ctx: InstallContext,
  skipped: ReadonlySet<number>,
): boolean {
  return (
    error instanceof PveError &&
    error.kind === 'vm_exists' &&
    ctx.request.id === undefined &&
    skipped.size < maxIdRetries
  )
}

/**
 * Moves the install from a VMID another client took after our check (or one the token may not
 * audit, so the cluster list did not show it) to the next id that neither the cluster list, as
 * read again, nor an earlier refusal holds; on the seed's network the address follows.
 */
export async function moveToNextVmid(
  ctx: InstallContext,
  step: StepHandle,
  skipped: Set<number>,
): Promise<void> {
  step.processing(`VMID ${ctx.vmid} was taken meanwhile; moving to the next free one`)
  skipped.add(ctx.vmid)
  ctx.deps.reservations.release(ctx.vmid, ctx.jobId)
  const { vms } = await ctx.deps.cluster.resources({ signal: ctx.signal })
  await autoAssignVmid(ctx, new Set([...vms.map((vm) => vm.vmid), ...skipped]))
  if (isSeedNetwork(ctx.network)) {
    ctx.deps.addresses.release(ctx.jobId)
    await holdAddresses(ctx)
  }
  step.processing(`now VMID ${ctx.vmid}, IP ${ctx.ip || 'from DHCP'}`)
}
