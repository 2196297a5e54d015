import { PveError } from '../../errors.js'
import { createApiDriver, type ApiCluster } from './api-driver.js'
import { createHttpsTransport, type HttpsTransport } from './https-transport.js'
import { createRetryingTransport, type RetryOptions } from './retrying-transport.js'
import type { TlsTrust } from './tls-trust.js'

/** The pino methods the connection logs with. */
export interface ConnectApiLog {
  warn(object: object, message: string): void
}

export interface ConnectApiOptions {
  /** `https://<host>:8006` */
  url: string
  /** `user@realm!tokenname` */
  tokenId: string
  tokenSecret: { reveal(): string }
  tls: TlsTrust
  log: ConnectApiLog
  /** retry settings; the defaults suit a real cluster */
  retry?: Omit<RetryOptions, 'onRetry'>
  taskPollMs?: number
  /** what the start-up log calls it; default names the URL and the token */
  description?: string
}

export interface ConnectedApi {
  cluster: ApiCluster
  transport: HttpsTransport
  close(): Promise<void>
}

/**
 * Builds the api driver over HTTPS with retries, and checks at once that the token holds every
 * privilege the service uses: a missing one stops the start with an error naming it, instead
 * of a 403 in the middle of someone's install. Turning certificate checks off is warned about.
 */
export async function connectApiDriver(options: ConnectApiOptions): Promise<ConnectedApi> {
  const { log, tokenId } = options
  if (options.tls.kind === 'insecure') {
    log.warn(
      { url: options.url },
      'PVE_TLS_INSECURE=1: the Proxmox certificate is not checked; anyone on the path can read the API token',
    )
  }
  const https = createHttpsTransport({
    url: options.url,
    tokenId,
    tokenSecret: options.tokenSecret,
    tls: options.tls,
  })
  const transport = createRetryingTransport(https, {
    ...options.retry,
    onRetry: (retry) => {
      log.warn(retry, 'proxmox api call failed, retrying')
    },
  })
  const cluster = createApiDriver({
    transport,
    description: options.description ?? `Proxmox REST API at ${https.baseUrl} as ${tokenId}`,
    ...(options.taskPollMs === undefined ? {} : { taskPollMs: options.taskPollMs }),
  })
  try {
    const missing = await cluster.missingPrivileges()
    if (missing.length > 0) {
      const list = missing.map((entry) => `${entry.privilege} (${entry.usedFor})`).join(', ')
      throw new PveError(
        'permission',
        `the API token ${tokenId} lacks ${list}; add ${missing.length === 1 ? 'it' : 'them'} to ` +
          `its role as the README's "Running with the REST API driver" shows`,
      )
    }
  } catch (error) {
    await https.close()
    throw error
  }
  return { cluster, transport: https, close: () => https.close() }
}
