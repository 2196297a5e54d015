import { AppError } from '../../../errors.js'
import { PveError } from '../../../pve/errors.js'
import type { VmConfigChanges } from '../../../pve/cluster.js'
import type { InstallContext } from '../context.js'
import { isStampedBy, ownershipStamp, removeOwnVm } from '../../own-vm.js'
import { withDiskTurn } from '../disk-turn.js'
import { vendorDataFor } from '../guest-agent-vendor-data.js'
import { ipconfig0Of, net0Of } from '../network-choice.js'
import { mayMoveOn, moveToNextVmid } from '../vmid-taken.js'
import { ensureTemplateStep } from './cloning-from-template.js'
import type { Stage } from './stage.js'

/**
 * `qm create` with the whole hardware profile and cloud-init in one call: virtio-scsi-pci, l26,
 * agent (a DHCP VM's address comes from it), virtio NIC on the network's bridge (VLAN tag, MTU,
 * firewall as the network says), its addresses in `ipconfig0`, serial console, a cloud-init drive on SCSI (seen by every image,
 * cloud-images.md §5), no first-boot package upgrade (it fights the init script for dpkg's lock).
 */
export const creatingVm: Stage = {
  name: 'VM creation > creating VM',
  async run(ctx, step) {
    // the clone path: the VM is made by cloning a template (`importing disk image`)
    if (ctx.clone !== undefined) return ensureTemplateStep(ctx, step)
    const skipped = new Set<number>()
    for (;;) {
      const vmid = ctx.vmid
      // recorded first: after a crash, recovery knows a create may have happened, and where
      ctx.deps.creations.started(ctx.jobId, vmid, ctx.createNode)
      // from here a VM carrying our stamp may exist, even if the call below fails or is cut off
      const undo = (): Promise<void> => removeVm(ctx, vmid)
      ctx.undo.push(undo)
      try {
        await withDiskTurn(ctx, step, () =>
          ctx.deps.cluster.createVm(ctx.createNode, vmid, vmConfig(ctx), {
            signal: ctx.signal,
            onLine: (line) => step.line(line),
          }),
        )
        break
      } catch (error) {
        const exists = error instanceof PveError && error.kind === 'vm_exists'
        // a retried create whose first try got through finds our own VM: it is made
        if (exists && (await isOwnVm(ctx, vmid))) break
        // someone else's VM: nothing of ours to undo under this id
        if (exists) ctx.undo.splice(ctx.undo.indexOf(undo), 1)
        if (!mayMoveOn(error, ctx, skipped)) throw error
        await moveToNextVmid(ctx, step, skipped)
      }
    }
    ctx.vmNode = ctx.createNode
    ctx.deps.locator.remember([{ vmid: ctx.vmid, node: ctx.createNode }])
    step.success('VM created successfully')
  },
}

export function vmConfig(ctx: InstallContext): VmConfigChanges {
  const config: VmConfigChanges = {
    name: ctx.request.name ?? defaultName(ctx),
    ostype: 'l26',
    cores: String(ctx.cpu),
    sockets: '1',
    cpu: ctx.cpuType,
    memory: String(ctx.ramMb),
    agent: 'enabled=1',
    scsihw: 'virtio-scsi-pci',
    net0: net0Of(ctx.network),
    serial0: 'socket',
    vga: 'serial0',
    tags: ctx.release.os,
    description: ownershipStamp(ctx.jobId),
    scsi1: `${ctx.storage}:cloudinit`,
    ciuser: ctx.user,
    sshkeys: ctx.sshKeys.join('\n'),
    ipconfig0: ipconfig0Of(ctx.network, { ipv4: ctx.ip, ipv6: ctx.ip6 }),
    // no first-boot package upgrade (PVE's default is 1): it would hold dpkg's lock for minutes
    // while the init script wants it; any driver may set it, a token too (pve.md §10.6)
    ciupgrade: '0',
  }
  // DHCP on an image without qemu-guest-agent: cloud-init installs it from this snippet
  const vendorData = vendorDataFor(ctx.deps, ctx.network, ctx.release)
  if (vendorData !== undefined) config.cicustom = `vendor=${vendorData}`
  const v4 = ctx.network.ipv4
  // cloud-init's resolvers (qemu-server `nameserver`: a list of addresses)
  if (v4.mode === 'static' && v4.dns.length > 0) config.nameserver = v4.dns.join(' ')
  const balloonMin = ctx.deps.limits.balloonMinMb
  if (balloonMin !== undefined) config.balloon = String(Math.min(balloonMin, ctx.ramMb))
  return config
}

function defaultName(ctx: InstallContext): string {
  return `${ctx.release.os}-${ctx.release.version.replaceAll('.', '')}-${ctx.vmid}`
}

/**
 * Rollback of a create: removes the VM at `vmid` only when it carries this install's stamp.
 * Before the create is known to have succeeded, a VM without the stamp is simply not ours;
 * after, it means someone replaced it, and it is left alone with an error saying so.
 */
export async function removeVm(ctx: InstallContext, vmid: number): Promise<void> {
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
