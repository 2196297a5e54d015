import type { AllowList } from '../../lib/allow-list/index.js'
import { normalizeAddress } from '../../lib/allow-list/index.js'

/** What {@link clientAddress} needs to know about one request. */
export interface ClientAddressOptions {
  /** The TCP peer (`socket.remoteAddress`); IPv4-mapped IPv6 is reported as IPv4. */
  socketAddress: string
  /** The raw `X-Forwarded-For` header; several headers joined by commas, as Node joins them. */
  forwardedFor?: string | undefined
  /** Proxies whose `X-Forwarded-For` is believed (TRUST_PROXY); undefined trusts none. */
  trustedProxies: AllowList | undefined
}

/**
 * The address a request really comes from. `X-Forwarded-For` is believed only when the socket
 * peer is a trusted proxy; then the header is read right to left, skipping addresses that are
 * themselves trusted proxies, and the first one that is not is the client. Everything left of
 * it was written by the client and could be forged. If every hop is a trusted proxy the
 * left-most one is the answer. An entry that is not an IP address ends the walk and is returned
 * as written, so a restrictive allowlist refuses it rather than passing the proxy's address.
 *
 * @example
 * clientAddress({ socketAddress: '127.0.0.2', forwardedFor: '127.0.9.9, 127.0.5.5',
 *   trustedProxies: parseAllowList(['127.0.0.2']) }) // '127.0.5.5'
 */
export function clientAddress(options: ClientAddressOptions): string {
  const { socketAddress, forwardedFor, trustedProxies } = options
  const peer = normalizeAddress(socketAddress)?.address ?? socketAddress
  if (trustedProxies === undefined || forwardedFor === undefined) return peer
  if (!trustedProxies.allows(peer)) return peer

  const hops = forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '')
  let client = peer
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index] ?? ''
    const parsed = normalizeAddress(hop)
    if (parsed === undefined) return hop
    client = parsed.address
    if (!trustedProxies.allows(client)) return client
  }
  return client
}
