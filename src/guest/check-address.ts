import { isIP } from 'node:net'

import { GuestError } from './errors.js'

/**
 * Insists on an IP literal and a real port, so that the guest code contacts exactly the
 * address it was given: no name lookup can send it anywhere else.
 */
export function checkGuestAddress(host: string, port: number): void {
  if (isIP(host) === 0) {
    throw new GuestError(
      'GUEST_INVALID_ADDRESS',
      `${host}:${port}`,
      `host must be an IP address, got "${host}"`,
    )
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new GuestError(
      'GUEST_INVALID_ADDRESS',
      `${host}:${port}`,
      `port must be an integer from 1 to 65535, got ${port}`,
    )
  }
}
