import type { ProxyConfig } from '../config.js'
import type { EnvReader } from '../env-reader.js'
import { Secret } from '../secret.js'
import type { ConfigVariable } from '../variables.js'

const proxyUrl = /^(https?|socks5?):\/\/[^\s/]+\/?$/

/**
 * Reads the proxies for outgoing downloads the way undici's EnvHttpProxyAgent (and curl) read
 * them: the lower-case variable wins over the upper-case one. They are read here, like every
 * other variable, and handed to the image store, which never looks at process.env.
 */
export function readProxySection(env: EnvReader): ProxyConfig {
  return {
    httpProxy: readProxy(env, 'http_proxy', 'HTTP_PROXY'),
    httpsProxy: readProxy(env, 'https_proxy', 'HTTPS_PROXY'),
    noProxy: env.text('no_proxy') ?? env.text('NO_PROXY'),
  }
}

// A proxy URL may hold a password: a bad one is reported without its value.
function readProxy(
  env: EnvReader,
  lower: ConfigVariable,
  upper: ConfigVariable,
): Secret | undefined {
  const name = env.text(lower) === undefined ? upper : lower
  const value = env.text(name)
  if (value === undefined) return undefined
  if (proxyUrl.test(value) && URL.canParse(value)) return new Secret(value)
  env.problem(
    name,
    'must be a proxy URL such as http://proxy.example:3128 (the value is not shown: it may hold a password)',
  )
  return undefined
}
