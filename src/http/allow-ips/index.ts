// parsing lives in lib (config reads ALLOW_IPS too); the request side stays here
export {
  AllowListEntryError,
  allowListErrorCodes,
  normalizeAddress,
  parseAllowList,
} from '../../lib/allow-list/index.js'
export type { AllowList, NormalizedAddress } from '../../lib/allow-list/index.js'
export { clientAddress } from './client-address.js'
export type { ClientAddressOptions } from './client-address.js'
