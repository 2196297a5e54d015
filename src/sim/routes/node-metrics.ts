import { createHash } from 'node:crypto'
import type { SimContext } from '../context.js'
import { vmMetrics } from '../state/metrics.js'
import type { SimNode } from '../state/types.js'

/** A node's live numbers: uptime, load, memory in use (host + running VMs), certificate fingerprint. */
export function nodeMetrics(sim: SimContext, node: SimNode) {
  const now = Date.now()
  let memUsed = node.memoryBase
  let running = 0
  for (const vm of sim.state.vms.values()) {
    if (vm.node !== node.name || vm.power !== 'running') continue
    running++
    memUsed += vmMetrics(vm, now).mem
  }
  const load = 0.04 + running * 0.11
  const digest = createHash('sha256').update(`pve-sim:${node.name}`).digest('hex').toUpperCase()
  return {
    uptime: Math.max(0, Math.floor((now - node.bootTime) / 1000)),
    cpu: Math.min(1, 0.004 + running * 0.012),
    loadavg: [load, load * 0.8, load * 0.6].map((v) => v.toFixed(2)),
    memUsed: Math.min(memUsed, node.memoryTotal),
    fingerprint: (digest.match(/../g) ?? []).join(':'),
  }
}
