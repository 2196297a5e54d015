export type { LifecycleDeps, PlannedOperation, VmLimits } from './deps.js'
export { destroyVm } from './destroy.js'
export { listCluster, type ClusterListing, type ListedNode, type ListedVm } from './list-cluster.js'
export { planMigration } from './migrate.js'
export { planReboot, planStart, readPowerState, shutdownVm, stopVm } from './power.js'
export { bootDisk, growDisk, setCpu, setMemory, type ChangeOutcome } from './resize.js'
export { createPendingTracker, type PendingTracker } from './pending-tracker.js'
export { parseRequestedSize } from './disk-size.js'
export { createVmLocator, type LocatedVm, type VmLocator } from './vm-locator.js'
export { markVms, type InstallingMark, type MarkedVm, type VmMarks } from './list-marks.js'
export {
  addressOf,
  createVmAddresses,
  readVmAddresses,
  type VmAddresses,
  type VmAddressView,
} from './vm-addresses.js'
export { addressReadersOf } from './address-readers.js'
export { sshCommand } from '../install/stages/finalizing.js'
export { beginStep, type StepHandle } from '../progress.js'
