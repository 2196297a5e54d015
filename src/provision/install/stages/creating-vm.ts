import type { VmConfigChanges } from '../../../pve/cluster.js'
import type { InstallContext } from '../context.js'
import { ownershipStamp } from '../../own-vm.js'
import { withDiskTurn } from '../disk-turn.js'
import { vendorDataFor } from '../guest-agent-before-ssh.js'
import { ipconfig0Of, net0Of } from '../network-choice.js'
import { makeUnderFreeVmid } from '../claim-vmid.js'
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
    await makeUnderFreeVmid(ctx, step, () =>
      withDiskTurn(ctx, step, () =>
        ctx.deps.cluster.createVm(ctx.createNode, ctx.vmid, vmConfig(ctx), {
          signal: ctx.signal,
          onLine: (line) => step.line(line),
        }),
      ),
    )
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
