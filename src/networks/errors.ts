import { AppError } from '../errors.js'

/** One-line description of each network error code. */
export const networkErrorCodes: Record<string, string> = {
  NETWORK_POOL_EXHAUSTED:
    'every address of the network pool is held, given to a VM, or answered the probe',
}

/** No address of the pool is free: every one is held, in use, or answered the probe. */
export class PoolExhaustedError extends AppError {
  override readonly name = 'PoolExhaustedError'
  readonly network: string
  constructor(network: string, message: string) {
    super('NETWORK_POOL_EXHAUSTED', `network ${network}: ${message}`)
    this.network = network
  }
}
