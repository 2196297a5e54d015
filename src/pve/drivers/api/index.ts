export { createApiDriver, toApiParams, type ApiDriverOptions } from './api-driver.js'
export type { PveApiTransport, PveApiRequest, PveApiResponse, PveApiParams } from './transport.js'
