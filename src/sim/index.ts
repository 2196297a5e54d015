/**
 * The simulated Proxmox VE cluster: one in-process model whose core answers the REST API
 * (`api.handle`), plus the few things only a CLI or a test needs (disk import, task following,
 * faults, events, snapshots). Faces (in-process transport, fake CLI, HTTPS) translate to it.
 */
export { createSimulator } from './simulator.js'
export type {
  SimSnapshot,
  Simulator,
  SimulatorOptions,
  VmEvent,
  VmEventPayload,
} from './simulator.js'
export type { FaultHold, FaultInjector, FaultOperation, FaultSpec, HoldSpec } from './faults.js'
export type { ImportDiskArgs } from './import-disk.js'
export type { SimApi, SimCaller, SimParams, SimRequest, SimResponse } from './api/types.js'
export { timings } from './timings.js'
export { parseUpid, formatUpid } from './tasks/upid.js'
export type { Upid } from './tasks/upid.js'
export { qcow2Header } from './image-info.js'
export { sha256Crypt } from './vm-config/sha256-crypt.js'
export { createInProcessTransport } from './faces/in-process-transport.js'
export { createSimulatedPing } from './network/simulated-ping.js'
export { defaultDhcpRange } from './network/network-state.js'
export type { DhcpRange, SimLease } from './network/network-state.js'
export type { SimBridgeSpec } from './network/bridges.js'
export type { SimNetworkControl } from './network/control.js'
export type { SimStorageControl } from './state/storage-control.js'
