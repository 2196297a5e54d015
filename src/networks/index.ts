export type {
  AddressRange,
  NetworksConfig,
  SeedIpv4,
  StaticIpv4,
  StaticIpv6,
  VmNetwork,
} from './network.js'
export type {
  AddressBook,
  HeldAddresses,
  HoldOptions,
  NetworkUsage,
  PoolUsage,
} from './address-book.js'
export { noProbe, type AddressProbe } from './probe.js'
export { networkErrorCodes, PoolExhaustedError } from './errors.js'
export { ipconfigAddresses } from './ipconfig-addresses.js'
export { createPingProbe, type PingProbeOptions } from './ping-probe.js'
export { poolOf, type AddressPool } from './pool.js'
export {
  reconcileInBackground,
  type BackgroundReconcileOptions,
} from './reconcile-in-background.js'
export { createStoreAddressBook, type StoreAddressBookOptions } from './store-address-book.js'
