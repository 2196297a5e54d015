import type { SimContext } from '../context.js'
import type { SimVm, SimVolume } from '../state/types.js'
import { bootDiskKey } from '../state/vm-view.js'
import { findVolume } from '../state/volumes.js'
import { isCloudinitVolume, readDrive } from '../vm-config/drive.js'
import { guestNics, type SimGuestNic } from './guest-nics.js'
import { vendorDataInstallsAgent } from './vendor-data-agent.js'

/** `agent: 1` or `agent: enabled=1,...` (qemu-server's `get_qga_key($conf, 'enabled')`). */
export function agentEnabled(config: Record<string, string>): boolean {
  const value = config.agent
  if (value === undefined) return false
  const first = value.split(',')[0] ?? ''
  const enabled = first.startsWith('enabled=') ? first.slice('enabled='.length) : first
  return enabled === '1' || enabled === 'yes' || enabled === 'on' || enabled === 'true'
}

/** True once a running VM's OS has booted (the boot delay at the simulator's speed has passed). */
export function guestBooted(sim: SimContext, vm: SimVm, now = Date.now()): boolean {
  if (vm.power !== 'running' || vm.startedAt === undefined) return false
  return now - vm.startedAt >= sim.network.guestBootMs * sim.pacer.speed
}

/**
 * The volume the VM boots from: the first disk of `boot: order=`, else `bootdisk`, else the
 * first drive that is no CD-ROM (a cloud-init drive is one); undefined without such a volume.
 */
export function bootVolume(sim: SimContext, vm: SimVm): SimVolume | undefined {
  const key = bootDiskKey(vm.config)
  const file = key === undefined ? undefined : readDrive(vm.config[key] ?? '')?.file
  if (file === undefined || isCloudinitVolume(file)) return undefined
  return findVolume(sim.state, vm.node, file)
}

/**
 * qemu-ga answers: the OS has booted, no test holds the agent back, and the OS on the boot disk
 * has qemu-guest-agent (`SimVolume.qemuGuestAgent` not false; unknown counts as installed) or
 * cloud-init installs it at first boot from a `cicustom` vendor snippet.
 */
export function agentRunning(sim: SimContext, vm: SimVm): boolean {
  return (
    guestBooted(sim, vm) &&
    !sim.network.heldAgents.has(vm.vmid) &&
    (bootVolume(sim, vm)?.qemuGuestAgent !== false || vendorDataInstallsAgent(sim, vm))
  )
}

/**
 * The guest's OS installed and enabled qemu-guest-agent (a first-boot script did): its boot
 * disk has the agent from now on, across reboots. False when the VM has no boot volume here.
 */
export function installGuestAgent(sim: SimContext, vmid: number): boolean {
  const vm = sim.state.vms.get(vmid)
  const volume = vm === undefined ? undefined : bootVolume(sim, vm)
  if (volume === undefined) return false
  if (volume.qemuGuestAgent !== true) {
    volume.qemuGuestAgent = true
    sim.changed()
  }
  return true
}

/** Consumes one armed qga timeout for this VM; true when there was one. */
export function takeAgentTimeout(sim: SimContext, vmid: number): boolean {
  const left = sim.network.agentTimeouts.get(vmid) ?? 0
  if (left <= 0) return false
  if (left === 1) sim.network.agentTimeouts.delete(vmid)
  else sim.network.agentTimeouts.set(vmid, left - 1)
  return true
}

/** Traffic counters that grow with uptime, so two reads differ as on a live guest. */
function statistics(vm: SimVm, nic: number): Record<string, number> {
  const seconds = Math.max(1, Math.floor((Date.now() - (vm.startedAt ?? Date.now())) / 1000))
  const packets = seconds * (12 + nic)
  return {
    'rx-bytes': packets * 180,
    'rx-dropped': 0,
    'rx-errs': 0,
    'rx-packets': packets,
    'tx-bytes': packets * 90,
    'tx-dropped': 0,
    'tx-errs': 0,
    'tx-packets': Math.floor(packets / 2),
  }
}

function agentInterface(vm: SimVm, nic: SimGuestNic, index: number): Record<string, unknown> {
  return {
    name: nic.name,
    'hardware-address': nic.mac,
    'ip-addresses': nic.addresses.map((a) => ({
      'ip-address': a.address,
      'ip-address-type': a.family,
      prefix: a.prefix,
    })),
    statistics: statistics(vm, index + 1),
  }
}

/** `guest-network-get-interfaces` as qemu-ga answers it: `lo` first, then ethN. */
export function networkGetInterfaces(sim: SimContext, vm: SimVm): Record<string, unknown>[] {
  const lo = {
    name: 'lo',
    'hardware-address': '00:00:00:00:00:00',
    'ip-addresses': [
      { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
      { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
    ],
    statistics: statistics(vm, 0),
  }
  return [lo, ...guestNics(sim, vm).map((nic, index) => agentInterface(vm, nic, index))]
}
