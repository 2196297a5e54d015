import { isIP } from 'node:net'

import type { SimContext } from '../context.js'
import { canonicalIpv6 } from './addresses.js'
import { guestBooted } from './guest-agent.js'
import { guestNics } from './guest-nics.js'

function normalize(address: string): string | undefined {
  const kind = isIP(address)
  if (kind === 4) return address
  if (kind === 6) return canonicalIpv6(address)
  return undefined
}

/**
 * Whether something answers ping on `address` in the simulated network: a node, the gateway, a
 * booted guest holding the address (static, leased, SLAAC), or a foreign host a test registered.
 * Nothing is sent anywhere: this is a table lookup standing in for `ping`.
 */
export function answersPing(sim: SimContext, address: string): boolean {
  const wanted = normalize(address.trim())
  if (wanted === undefined) return false
  if (sim.network.foreignHosts.has(wanted)) return true
  if (wanted === sim.network.gateway) return true
  if (sim.state.nodes.some((node) => node.online && node.ip === wanted)) return true
  for (const vm of sim.state.vms.values()) {
    if (!guestBooted(sim, vm)) continue
    for (const nic of guestNics(sim, vm)) {
      if (nic.addresses.some((a) => a.address === wanted)) return true
    }
  }
  return false
}

/** Registers a foreign host's address (any IP; it is only looked up). */
export function addForeignHost(sim: SimContext, address: string): string | undefined {
  const normalized = normalize(address.trim())
  if (normalized !== undefined) sim.network.foreignHosts.add(normalized)
  return normalized
}
