import type { EventEmitter } from 'node:events'
import type { Faults } from './faults.js'
import type { FileLocks } from './locks/file-locks.js'
import type { SimNetworkState } from './network/network-state.js'
import type { Pacer } from './pacer.js'
import type { ClusterState } from './state/types.js'
import type { Statd } from './statd.js'
import type { TaskManager } from './tasks/task-manager.js'

/** Everything the API handlers and operations share: the one cluster model and its machinery. */
export interface SimContext {
  readonly state: ClusterState
  readonly tasks: TaskManager
  readonly locks: FileLocks
  readonly pacer: Pacer
  readonly faults: Faults
  readonly statd: Statd
  readonly mainNode: string
  /** DHCP leases, guest agents, foreign hosts: the network around the VMs */
  readonly network: SimNetworkState
  /** emits `vm-started` / `vm-stopped` with `{ vmid, node, config }` */
  readonly events: EventEmitter
  /** call after every change of state, so it gets saved */
  changed(): void
}
