/** Readers of Proxmox JSON (REST `data` or `pvesh --output-format json`) into the port's types. */
export { readClusterResources, splitTags } from './resources.js'
export { readNodeStatus, readNodeStorages } from './node-status.js'
export { readVmConfig, readVmStatus } from './vm.js'
export { pendingChanges, readVmPending } from './pending.js'
export { asArray, asObject, isObject, optionalNumber, optionalString } from './json-values.js'
export { readGuestInterfaces, readNodeBridges } from './network.js'
