import { AppError } from '../../errors.js'
import type { SimContext } from '../context.js'
import { findNode } from '../state/volumes.js'
import { bridgeSpec, buildBridges, type SimBridgeSpec } from './bridges.js'
import { addForeignHost, answersPing } from './ping.js'
import type { SimLease } from './network-state.js'

/** What tests (and the simulated service's address probe) can do with the simulated network. */
export interface SimNetworkControl {
  /** a node's bridges, as specs */
  bridges(node: string): SimBridgeSpec[]
  /**
   * Replaces a node's bridges (e.g. pve3 without vmbr1: a VM on vmbr1 then fails to start there,
   * `bridge 'vmbr1' does not exist`). Checked like the `bridges` option.
   */
  setBridges(node: string, bridges: readonly SimBridgeSpec[]): void
  /** every DHCPv4 lease handed out so far */
  leases(): SimLease[]
  /**
   * Whether something answers ping on the address (a node, the gateway, a booted guest holding
   * it, a foreign host): a lookup, nothing is sent.
   */
  answersPing(address: string): boolean
  /** From now on something outside the cluster answers ping on `address`; returns the undo. */
  addForeignHost(address: string): () => void
  /** The VM's guest agent stays down (`QEMU guest agent is not running`) until the returned
   * function is called, however long the VM runs. */
  holdAgent(vmid: number): () => void
  /** The VM's next `times` agent commands time out (`VM <id> qga command '…' failed - got timeout`). */
  agentTimeout(vmid: number, times?: number): void
  /** drops foreign hosts, agent holds and timeouts */
  clear(): void
}

export function createNetworkControl(sim: SimContext): SimNetworkControl {
  const nodeOf = (name: string) => {
    const node = findNode(sim.state, name)
    if (node === undefined) throw new AppError('SIM_BAD_OPTIONS', `no simulated node '${name}'`)
    return node
  }
  return {
    bridges: (name) => nodeOf(name).bridges.map(bridgeSpec),
    setBridges(name, bridges) {
      const node = nodeOf(name)
      node.bridges = buildBridges(name, bridges)
    },
    leases: () => [...sim.network.leases.values()].map((lease) => ({ ...lease })),
    answersPing: (address) => answersPing(sim, address),
    addForeignHost(address) {
      const added = addForeignHost(sim, address)
      if (added === undefined)
        throw new AppError('SIM_BAD_OPTIONS', `'${address}' is no IP address`)
      return () => {
        sim.network.foreignHosts.delete(added)
      }
    },
    holdAgent(vmid) {
      sim.network.heldAgents.add(vmid)
      return () => {
        sim.network.heldAgents.delete(vmid)
      }
    },
    agentTimeout(vmid, times = 1) {
      sim.network.agentTimeouts.set(vmid, (sim.network.agentTimeouts.get(vmid) ?? 0) + times)
    },
    clear() {
      sim.network.foreignHosts.clear()
      sim.network.heldAgents.clear()
      sim.network.agentTimeouts.clear()
    },
  }
}
