import { isIPv4 } from 'node:net'

import ssh2 from 'ssh2'
import type { ParsedKey } from 'ssh2'

// ssh2 is CommonJS: Node's ESM loader sees only some of its exports by name
const { utils } = ssh2

/**
 * The public keys of a VM's `sshkeys` (URL-encoded, one key a line, as Proxmox stores it).
 * Lines that are not public keys are left out, as sshd ignores them in authorized_keys.
 */
export function authorizedKeysOf(config: Record<string, string>): ParsedKey[] {
  const encoded = config.sshkeys
  if (encoded === undefined) return []
  let text: string
  try {
    text = decodeURIComponent(encoded)
  } catch {
    return []
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => utils.parseKey(line))
    .filter((key): key is ParsedKey => !(key instanceof Error) && !key.isPrivateKey())
}

/** The static IPv4 address of `ipconfig0` (`ip=127.0.0.105/24,gw=…`), if there is one. */
export function staticAddressOf(config: Record<string, string>): string | undefined {
  const ipconfig = config.ipconfig0
  if (ipconfig === undefined) return undefined
  for (const part of ipconfig.split(',')) {
    const [key, value = ''] = part.split('=', 2)
    if (key !== 'ip') continue
    const address = value.split('/')[0] ?? ''
    return isIPv4(address) ? address : undefined
  }
  return undefined
}

/** True for 127.0.0.0/8: the only addresses a simulated guest may listen on. */
export function isLoopbackAddress(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.')
}
