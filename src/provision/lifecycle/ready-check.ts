import { isIPv4 } from 'node:net'
import type { Cluster } from '../../pve/cluster.js'
import { ipForVmid } from '../install/ip-address.js'
import type { GuestPort } from '../install/ports.js'
import { VmStateError } from '../errors.js'
import { beginStep } from '../progress.js'
import type { LifecycleDeps } from './deps.js'

export interface ReadyCheckOptions {
  cluster: Cluster
  /** the VMs' gateway (`GATEWAY`): a VM without a static address has gateway/24 + VMID */
  gateway: string
  guest: Pick<GuestPort, 'waitForAnswer'>
}

/** Failed attempts between two "still waiting" lines (the first is always shown). */
const attemptsPerLine = 20

/**
 * The lifecycle's "ready": the VM answers SSH on its address, within GUEST_SSH_TIMEOUT, as the
 * seed's start and reboot promise. The address is the static IP of `ipconfig0`, else the
 * seed's rule (gateway's /24, VMID as last octet); the user is `ciuser`. A VM that never
 * answers fails the job with GUEST_SSH_TIMEOUT naming address, attempts and the last reason.
 */
export function createReadyCheck(options: ReadyCheckOptions): LifecycleDeps['waitUntilReady'] {
  return async (vm, report, signal) => {
    const step = beginStep(report, 'waiting for ready')
    const config = await options.cluster.vmConfig(vm.node, vm.vmid, { signal })
    const ip = addressOf(config, options.gateway, vm.vmid)
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

/** The VM's address: `ip=` of `ipconfig0`, else gateway/24 + VMID (the seed's rule). */
export function addressOf(config: Record<string, string>, gateway: string, vmid: number): string {
  const ipconfig = config.ipconfig0 ?? ''
  for (const part of ipconfig.split(',')) {
    const [key, value = ''] = part.split('=', 2)
    const address = value.split('/')[0] ?? ''
    if (key === 'ip' && isIPv4(address)) return address
  }
  if (vmid > 254) {
    throw new VmStateError(
      `VM ${vmid} has no static address in ipconfig0 and ${vmid} is no host of ${gateway}/24: cannot tell where to wait for SSH`,
    )
  }
  return ipForVmid(gateway, vmid)
}
