/**
 * The network model: what `NETWORKS_FILE` (or the seed's variables) define, deep-frozen in the
 * configuration. Defined by the configuration, which reads and validates it; re-exported here
 * as the model the install pipeline and the address book use.
 */
export type {
  AddressRange,
  NetworksConfig,
  SeedIpv4,
  StaticIpv4,
  StaticIpv6,
  VmNetwork,
} from '../config/vm-network.js'
