import { AppError } from '../../errors.js'
import { PveError } from '../../pve/errors.js'
import { isStampedBy, removeOwnVm } from '../own-vm.js'
import type { StepHandle } from '../progress.js'
import type { InstallContext } from './context.js'
import { isSeedNetwork } from './network-choice.js'
import { holdAddresses } from './stages/assigning-ip.js'
import { autoAssignVmid } from './stages/checking-vmid.js'

/** How many VMIDs taken behind our back an install tolerates before giving up. */
const maxIdRetries = 5

/**
 * Makes the install's VM with `make` (a create or a clone) under `ctx.vmid`. The attempt is
 * recorded first (after a crash, recovery knows a VM may exist, and where) and undone on
 * rollback only if the VM carries this install's stamp. When Proxmox refuses the id as taken
 * (`already exists`): a VM of our own is a retried call that got through, made; someone else's
 * moves the install to the next free id (`moveToNextVmid`), when the id was ours to choose.
 */
export async function makeUnderFreeVmid(
  ctx: InstallContext,
  step: StepHandle,
  make: () => Promise<void>,
): Promise<void> {
  const skipped = new Set<number>()
  for (;;) {
    const vmid = ctx.vmid
    ctx.deps.creations.started(ctx.jobId, vmid, ctx.createNode)
    // from here a VM carrying our stamp may exist, even if the call below fails or is cut off
    const undo = (): Promise<void> => removeVm(ctx, vmid)
    ctx.undo.push(undo)
    try {
      await make()
      return
    } catch (error) {
      const exists = error instanceof PveError && error.kind === 'vm_exists'
      if (exists && (await isOwnVm(ctx, vmid))) return
      // someone else's VM: nothing of ours to undo under this id
      if (exists) ctx.undo.splice(ctx.undo.indexOf(undo), 1)
      if (!mayMoveOn(error, ctx, skipped)) throw error
      await moveToNextVmid(ctx, step, skipped)
    }
  }
}

/**
 * Rollback of a create: removes the VM at `vmid` only when it carries this install's stamp.
 * Before the create is known to have succeeded, a VM without the stamp is simply not ours;
 * after, it means someone replaced it, and it is left alone with an error saying so.
 */
async function removeVm(ctx: InstallContext, vmid: number): Promise<void> {
  const created = ctx.vmNode !== undefined && vmid === ctx.vmid
  const node = created ? (ctx.vmNode ?? ctx.createNode) : ctx.createNode
  const outcome = await removeOwnVm(ctx.deps.cluster, { node, vmid, jobId: ctx.jobId })
  if (outcome === 'not-ours' && created) {
    throw new AppError(
      'VM_NOT_OURS',
      `VM ${vmid} on ${node} does not carry this install's stamp; it was left alone`,
    )
  }
  if (outcome !== 'not-ours') ctx.deps.locator.forget(vmid)
}

async function isOwnVm(ctx: InstallContext, vmid: number): Promise<boolean> {
  try {
    return isStampedBy(await ctx.deps.cluster.vmConfig(ctx.createNode, vmid), ctx.jobId)
  } catch (error) {
    if (error instanceof PveError) return false
    throw error
  }
}

/**
 * Whether an install may leave a VMID that Proxmox refused with `already exists` for the next
 * free one: only an id it chose itself (never the request's `id`), and only so many times.
 */
function mayMoveOn(error: unknown, ctx: InstallContext, skipped: ReadonlySet<number>): boolean {
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
async function moveToNextVmid(
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
