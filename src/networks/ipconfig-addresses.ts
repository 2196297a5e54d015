import { canonicalIpAddress } from '../lib/ip-address/index.js'
import { configuredAddresses } from '../pve/ipconfig.js'

/**
 * The static addresses of a VM's cloud-init network keys (`ipconfig0`..`ipconfigN`:
 * `ip=10.20.1.7/22,gw=10.20.0.1,ip6=2001:db8::7/64`), in canonical form, as the address book
 * compares them. `dhcp`, `auto` and `manual` hold no address.
 */
export function ipconfigAddresses(config: Readonly<Record<string, string>>): string[] {
  return configuredAddresses(config)
    .static.map((entry) => canonicalIpAddress(entry.address))
    .filter((address): address is string => address !== undefined)
}
