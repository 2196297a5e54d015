import { isIP } from 'node:net'
import { AllowListEntryError, parseAllowList } from '../../lib/allow-list/index.js'
import type { HttpConfig } from '../config.js'
import { quote } from '../env-reader.js'
import type { EnvReader } from '../env-reader.js'
import { hostNamePattern } from '../patterns.js'
import type { ConfigVariable } from '../variables.js'

/** Reads the listener and the address lists of who may call it. */
export function readHttpSection(env: EnvReader): HttpConfig {
  const port = env.integer('PORT', { min: 1, max: 65535 }) ?? 8080
  const hostText = env.text('HOST')
  let host = '0.0.0.0'
  if (hostText !== undefined) {
    if (isIP(hostText) !== 0 || hostNamePattern.test(hostText)) host = hostText
    else {
      env.problem(
        'HOST',
        `must be an IP address or host name to listen on, such as 0.0.0.0 or 127.0.0.1, got ${quote(hostText)}`,
      )
    }
  }

  const allowIps = readAddressList(env, 'ALLOW_IPS') ?? ['0.0.0.0']
  const trustProxy = readAddressList(env, 'TRUST_PROXY') ?? []
  if (parseAllowList(trustProxy).allowsAll) {
    env.problem(
      'TRUST_PROXY',
      'must list the proxies themselves, not everyone: trusting every peer lets any client choose its address',
    )
  }
  return { port, host, allowIps, trustProxy }
}

/** A comma list of addresses and CIDRs, each checked by the allowlist parser; canonical form. */
function readAddressList(env: EnvReader, name: ConfigVariable): string[] | undefined {
  const entries = env.list(name)
  if (entries === undefined) return undefined
  const canonical: string[] = []
  for (const entry of entries) {
    try {
      canonical.push(...parseAllowList([entry]).entries)
    } catch (error) {
      if (!(error instanceof AllowListEntryError)) throw error
      env.problem(
        name,
        `entry ${quote(entry)}: ${error.reason} (expected comma-separated IPv4/IPv6 addresses or CIDR ranges)`,
      )
    }
  }
  return canonical
}
