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

/** The undici dispatcher every image request goes through; made on first use. */
export interface ImageHttpClient {
  dispatcher(): Promise<Dispatcher>
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
  let made: Promise<Dispatcher> | undefined
  return {
    dispatcher() {
      made ??= makeDispatcher(proxy)
      return made
    },
    async close() {
      if (made === undefined) return
      await (await made).close()
    },
  }
}

async function makeDispatcher(proxy: ProxySettings): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent, interceptors } = await import('undici')
  const proxied = present(proxy.httpProxy) || present(proxy.httpsProxy)
  // Every setting is passed, '' for unset: undici would otherwise read process.env itself.
  const base = proxied
    ? new EnvHttpProxyAgent({
        httpProxy: proxy.httpProxy ?? '',
        httpsProxy: proxy.httpsProxy ?? '',
        noProxy: proxy.noProxy ?? '',
      })
    : new Agent()
  return base.compose(interceptors.redirect({ maxRedirections: maxRedirects }))
}

function present(value: string | undefined): boolean {
  return value !== undefined && value !== ''
}
