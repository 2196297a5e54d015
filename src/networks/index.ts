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
