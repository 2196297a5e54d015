import { AppError } from '../errors.js'
import { sleep } from '../lib/sleep.js'
import type { Cluster } from '../pve/cluster.js'
import { PveError } from '../pve/errors.js'
import { agentAddresses } from './lifecycle/agent-addresses.js'

export interface LearnAddressesOptions {
  /** which families the guest must report before the wait ends */
  need: { ipv4: boolean; ipv6: boolean }
  /** how long to keep asking (GUEST_SSH_TIMEOUT) */
  timeoutMs: number
  signal: AbortSignal
  /** hears of each answer that did not hold the addresses yet */
  onAttempt?: (attempt: number, reason: string) => void
}

/** Pauses between two questions to the agent: quick at first, a boot takes seconds. */
const pausesMs = [250, 500, 1000, 2000]

/**
 * Asks the guest agent (`network-get-interfaces`, pve.md §2.11) for a booting VM's addresses
 * until it reports the families `need` names: right after `qm start` the agent is not running
 * yet (`agent_unavailable`), and a DHCP lease comes after the agent. Gives up after `timeoutMs`
 * with GUEST_ADDRESS_UNKNOWN, saying what the agent last answered. IPv4 first.
 */
export async function learnGuestAddresses(
  cluster: Pick<Cluster, 'guestInterfaces'>,
  vm: { node: string; vmid: number },
  options: LearnAddressesOptions,
): Promise<{ address: string; family: 'ipv4' | 'ipv6' }[]> {
  const deadline = AbortSignal.timeout(options.timeoutMs)
  const signal = AbortSignal.any([options.signal, deadline])
  let last = 'not asked yet'
  for (let attempt = 1; ; attempt += 1) {
    try {
      const found = agentAddresses(await cluster.guestInterfaces(vm.node, vm.vmid, { signal }))
      const has = (family: 'ipv4' | 'ipv6'): boolean => found.some((e) => e.family === family)
      if ((!options.need.ipv4 || has('ipv4')) && (!options.need.ipv6 || has('ipv6'))) return found
      last = `the agent reports ${found.length === 0 ? 'no address' : found.map((e) => e.address).join(', ')} yet`
    } catch (error) {
      if (options.signal.aborted) throw error
      // no agent in the config: no wait makes one appear
      if (error instanceof PveError && error.message.includes('No QEMU guest agent configured'))
        throw new AppError(
          'GUEST_ADDRESS_UNKNOWN',
          `VM ${vm.vmid} on ${vm.node} takes its address from DHCP/SLAAC but has no guest agent configured (agent: 1), so its address cannot be learnt`,
          { cause: error },
        )
      const waiting = error instanceof PveError && error.kind === 'agent_unavailable'
      if (!waiting && !deadline.aborted) throw error
      if (waiting) last = error.message
    }
    options.onAttempt?.(attempt, last)
    try {
      await sleep(pausesMs[Math.min(attempt - 1, pausesMs.length - 1)] ?? 2000, signal)
    } catch (error) {
      if (options.signal.aborted) throw error
      throw new AppError(
        'GUEST_ADDRESS_UNKNOWN',
        `VM ${vm.vmid} on ${vm.node}: the guest agent reported no ${wanted(options.need)} address within ${Math.round(options.timeoutMs / 1000)}s (GUEST_SSH_TIMEOUT); last answer: ${last}`,
      )
    }
  }
}

function wanted(need: { ipv4: boolean; ipv6: boolean }): string {
  if (need.ipv4 && need.ipv6) return 'IPv4 and IPv6'
  return need.ipv6 ? 'IPv6' : 'IPv4'
}
