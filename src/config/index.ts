export { loadConfig } from './load-config.js'
export type { LoadConfigOptions } from './load-config.js'
export { parseConfig } from './parse-config.js'
export type { ParseConfigOptions } from './parse-config.js'
export { describeConfig } from './describe-config.js'
export { ConfigError, configErrorCodes } from './errors.js'
export { Secret } from './secret.js'
export { configVariables, nodeVariablePrefix } from './variables.js'
export type { ConfigVariable } from './variables.js'
export type {
  Config,
  HttpConfig,
  LimitsConfig,
  SecurityConfig,
  LogLevel,
  NetworkConfig,
  PveConfig,
  PveDriverName,
  PveNodeAddress,
  SimConfig,
  VmConfig,
} from './config.js'
export type {
  AddressRange,
  NetworksConfig,
  SeedIpv4,
  StaticIpv4,
  StaticIpv6,
  VmNetwork,
} from './vm-network.js'
