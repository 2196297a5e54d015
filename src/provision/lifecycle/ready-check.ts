import type { Cluster, VmConfig } from '../../pve/cluster.js'
import { ipForVmid } from '../install/ip-address.js'
import type { GuestPort } from '../install/ports.js'
import { VmStateError } from '../errors.js'
import { learnGuestAddresses } from '../learn-guest-addresses.js'
import { beginStep, type StepHandle } from '../progress.js'
import { configuredAddresses } from '../../pve/ipconfig.js'
import type { LifecycleDeps } from './deps.js'

export interface ReadyCheckOptions {
  cluster: Cluster
  /** the VMs' gateway (`GATEWAY`): a VM without a static address has gateway/24 + VMID */
  gateway: string
  guest: Pick<GuestPort, 'waitForAnswer'>
  /** how long a DHCP VM's guest agent is asked for its address (GUEST_SSH_TIMEOUT); default 300 s */
  agentTimeoutMs?: number
}

/** Failed attempts between two "still waiting" lines (the first is always shown). */
const attemptsPerLine = 20

/**
 * The lifecycle's "ready": the VM answers SSH on its address, within GUEST_SSH_TIMEOUT, as the
 * seed's start and reboot promise. The address is a static one of `ipconfig0..N` (IPv4 first),
 * else what the guest agent reports for a DHCP/SLAAC VM once it booted (IPv4 first), else the
 * seed's rule (gateway's /24, VMID as last octet); the user is `ciuser`. A VM that never
 * answers fails the job with GUEST_SSH_TIMEOUT naming address, attempts and the last reason.
 */
export function createReadyCheck(options: ReadyCheckOptions): LifecycleDeps['waitUntilReady'] {
  return async (vm, report, signal) => {
    const step = beginStep(report, 'waiting for ready')
    const config = await options.cluster.vmConfig(vm.node, vm.vmid, { signal })
    const ip = await reachableAddress(options, { ...vm, config }, step, signal)
    step.processing(`waiting for SSH on ${ip}`)
    await options.guest.waitForAnswer(ip, config.ciuser ?? 'root', {
      signal,
      onAttempt: (attempt, reason) => {
        if (attempt === 1 || attempt % attemptsPerLine === 0) {
          step.line(`SSH on ${ip} not answering yet (attempt ${attempt}: ${reason})`)
        }
      },
    })
  }
}

/** Where SSH is tried: static IPv4, the agent's IPv4, static IPv6, the agent's IPv6, the seed's rule. */
async function reachableAddress(
  options: ReadyCheckOptions,
  vm: { node: string; vmid: number; config: VmConfig },
  step: StepHandle,
  signal: AbortSignal,
): Promise<string> {
  const configured = configuredAddresses(vm.config)
  const staticV4 = configured.static.find((entry) => entry.family === 'ipv4')
  if (staticV4 !== undefined) return staticV4.address
  if (configured.dynamic) {
    step.processing('asking the guest agent for the address the VM got')
    const dhcpV4 = configured.dhcpV4
    const found = await learnGuestAddresses(options.cluster, vm, {
      // an IPv4 lease when there is one to wait for, else an IPv6 address when none is static
      need: { ipv4: dhcpV4, ipv6: !dhcpV4 && configured.static.length === 0 },
      timeoutMs: options.agentTimeoutMs ?? 300_000,
      signal,
      onAttempt: (attempt, reason) => {
        if (attempt === 1 || attempt % attemptsPerLine === 0)
          step.line(`no address yet (${reason})`)
      },
    })
    const learnt =
      found.find((entry) => entry.family === 'ipv4') ?? configured.static[0] ?? found[0]
    if (learnt !== undefined) return learnt.address
  }
  const staticV6 = configured.static[0]
  if (staticV6 !== undefined) return staticV6.address
  return addressOf(vm.config, options.gateway, vm.vmid)
}

/** The VM's address: `ip=` of `ipconfig0..N`, else gateway/24 + VMID (the seed's rule). */
export function addressOf(config: Record<string, string>, gateway: string, vmid: number): string {
  const found = configuredAddresses(config).static.find((entry) => entry.family === 'ipv4')
  if (found !== undefined) return found.address
  if (vmid > 254) {
    throw new VmStateError(
      `VM ${vmid} has no static address in ipconfig0 and ${vmid} is no host of ${gateway}/24: cannot tell where to wait for SSH`,
    )
  }
  return ipForVmid(gateway, vmid)
}
