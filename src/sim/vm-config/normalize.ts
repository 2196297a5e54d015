import { die } from '../api/errors.js'
import { normalizeNet } from './net.js'
import { parsePropertyString } from './property-string.js'
import { isCryptHash, sha256Crypt } from './sha256-crypt.js'
import { validateSshKeys } from './sshkeys.js'
import { normalizeTags } from './tags.js'

/**
 * Turns a checked value into what the config file stores: `cipassword` hashed (`$5$...`) unless
 * it already is a crypt hash, `tags` normalized, a NIC given a MAC (the old one when the key had
 * one), `sshkeys` validated as public keys (a plain `die`, HTTP 500, as PVE).
 */
export function normalizeConfigValue(
  key: string,
  value: string,
  current: Record<string, string>,
): string {
  if (key === 'cipassword') return isCryptHash(value) ? value : sha256Crypt(value)
  if (key === 'tags') {
    const tags = normalizeTags(value)
    return tags.ok ? tags.value : value
  }
  if (key === 'sshkeys') {
    if (!validateSshKeys(value)) die('SSH public key validation error')
    return value
  }
  if (/^net\d+$/.test(key)) {
    const given = /^[a-z0-9-_]+=([0-9A-Fa-f:]{17})/.test(value) || /(^|,)macaddr=/.test(value)
    const previous = /^[a-z0-9-_]+=([0-9A-Fa-f:]{17})/.exec(current[key] ?? '')?.[1]
    const withMac =
      !given && previous !== undefined ? value.replace(/^([a-z0-9-_]+)/, `$1=${previous}`) : value
    const net = normalizeNet(key, withMac)
    return net.ok ? net.value : value
  }
  return value
}

/** `memory` as a plain MiB count from `2048` or `current=2048`. */
export function memoryValue(text: string): number | undefined {
  const parsed = parsePropertyString('memory', text, {
    defaultKey: 'current',
    keys: { current: { type: 'int' } },
  })
  if (!parsed.ok) return undefined
  const current = parsed.values.get('current')
  return current === undefined ? undefined : Number(current)
}
