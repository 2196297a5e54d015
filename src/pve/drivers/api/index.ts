export {
  createApiDriver,
  toApiParams,
  type ApiCluster,
  type ApiDriverOptions,
} from './api-driver.js'
export { connectApiDriver, type ConnectApiOptions, type ConnectedApi } from './connect-api.js'
export { PveConnectionError, PveTaskError, type ConnectionFailure } from './errors.js'
export {
  apiBaseUrl,
  createHttpsTransport,
  type HttpsTransport,
  type HttpsTransportOptions,
} from './https-transport.js'
export {
  findMissingPrivileges,
  privilegeList,
  requiredPrivileges,
  type RequiredPrivilege,
} from './required-privileges.js'
export {
  createRetryingTransport,
  retryReason,
  type RetryNotice,
  type RetryOptions,
} from './retrying-transport.js'
export { normalizeFingerprint, type TlsTrust } from './tls-trust.js'
export type { PveApiTransport, PveApiRequest, PveApiResponse, PveApiParams } from './transport.js'
