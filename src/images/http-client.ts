import type { Dispatcher } from 'undici'

/**
 * Proxies for image downloads, as `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` give them (read by
 * the config, never here). Semantics are undici's `EnvHttpProxyAgent`: https URLs use
 * `httpsProxy`, or `httpProxy` when that is unset; `noProxy` lists hosts (`.example.org`,
 * `host:port`, `*`) reached directly.
 */
export interface ProxySettings {
  /** may hold credentials (`http://user:pass@proxy:3128`): never logged */
  httpProxy?: string | undefined
  httpsProxy?: string | undefined
  noProxy?: string | undefined
}

/** The undici dispatchers every image request goes through; made on first use. */
export interface ImageHttpClient {
  /** follows redirects (undici's redirect interceptor), for small answers */
  dispatcher(): Promise<Dispatcher>
  /**
   * the same connections without the interceptor, for the image itself: its per-piece handler
   * wrapping and pausing cost a loaded machine more than the whole rest of the download (see
   * bench/download.ts), so the download follows redirects itself
   */
  direct(): Promise<Dispatcher>
  /** closes idle connections; requests under way are left to their own signals */
  close(): Promise<void>
}

/** As many hops as fetch allows; a mirror that redirects more is misconfigured. */
export const maxRedirects = 20

/**
 * Creates the image store's HTTP client: undici's `Agent`, or its `EnvHttpProxyAgent` when a
 * proxy is set, following redirects. Certificates are checked against Node's default CAs.
 * undici is imported on the first request, so a service that never downloads (or finds every
 * image cached) does not carry its HTTP parser in memory.
 */
export function createImageHttpClient(proxy: ProxySettings = {}): ImageHttpClient {
  let made: Promise<Dispatchers> | undefined
  const dispatchers = (): Promise<Dispatchers> => {
    made ??= makeDispatchers(proxy)
    return made
  }
  return {
    dispatcher: async () => (await dispatchers()).following,
    direct: async () => (await dispatchers()).direct,
    async close() {
      if (made === undefined) return
      await (await made).direct.close()
    },
  }
}

interface Dispatchers {
  direct: Dispatcher
  following: Dispatcher
}

async function makeDispatchers(proxy: ProxySettings): Promise<Dispatchers> {
  const { Agent, EnvHttpProxyAgent, interceptors } = await import('./undici.js')
  const proxied = present(proxy.httpProxy) || present(proxy.httpsProxy)
  // Every setting is passed, '' for unset: undici would otherwise read process.env itself.
  const base = proxied
    ? new EnvHttpProxyAgent({
        httpProxy: proxy.httpProxy ?? '',
        httpsProxy: proxy.httpsProxy ?? '',
        noProxy: proxy.noProxy ?? '',
      })
    : new Agent()
  return {
    direct: base,
    following: base.compose(interceptors.redirect({ maxRedirections: maxRedirects })),
  }
}

function present(value: string | undefined): boolean {
  return value !== undefined && value !== ''
}
