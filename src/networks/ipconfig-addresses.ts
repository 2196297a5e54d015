import { canonicalIpAddress } from '../lib/ip-address/index.js'

/**
 * The static addresses of a VM's cloud-init network keys (`ipconfig0`..`ipconfigN`:
 * `ip=10.20.1.7/22,gw=10.20.0.1,ip6=2001:db8::7/64`), in canonical form. `dhcp`, `auto` and
 * `manual` hold no address (qemu-server PVE/QemuServer.pm, the ipconfig format).
 */
export function ipconfigAddresses(config: Readonly<Record<string, string>>): string[] {
  const found: string[] = []
  for (const [key, value] of Object.entries(config)) {
    if (!/^ipconfig\d+$/.test(key)) continue
    for (const part of value.split(',')) {
      const match = /^(ip6?)=([^/]+)(?:\/\d+)?$/.exec(part.trim())
      const address = match?.[2] === undefined ? undefined : canonicalIpAddress(match[2])
      if (address !== undefined) found.push(address)
    }
  }
  return found
}
