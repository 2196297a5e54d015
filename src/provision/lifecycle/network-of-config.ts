import { isIPv4 } from 'node:net'
import type { VmNetwork } from '../../networks/index.js'
import type { VmConfig } from '../../pve/cluster.js'
import { configuredAddresses } from '../../pve/ipconfig.js'

/**
 * The network a VM is on, read from its config: `net0`'s bridge and VLAN tag must be the
 * network's, and `ipconfig0` must fit its addressing (the seed's /24, the static CIDR, or
 * `ip=dhcp`). The first network that fits, in file order; none: undefined.
 */
export function networkOfConfig(
  config: VmConfig,
  networks: readonly VmNetwork[],
): string | undefined {
  const net0 = config.net0 ?? ''
  const bridge = /(?:^|,)bridge=([^,]+)/.exec(net0)?.[1]
  const tag = /(?:^|,)tag=(\d+)/.exec(net0)?.[1]
  if (bridge === undefined) return undefined
  const ipconfig = config.ipconfig0 ?? ''
  const dhcp = /(?:^|,)\s*ip=dhcp\s*(?:,|$)/.test(ipconfig)
  const v4 = configuredAddresses({ ipconfig0: ipconfig }).static.find(
    (entry) => entry.family === 'ipv4',
  )?.address
  return networks.find((network) => {
    if (network.bridge !== bridge) return false
    if ((network.vlan === undefined ? undefined : String(network.vlan)) !== tag) return false
    const mode = network.ipv4
    if (mode.mode === 'dhcp') return dhcp
    if (v4 === undefined) return false
    if (mode.mode === 'seed') return sameSlash24(v4, mode.gateway)
    return insideCidr(v4, mode.cidr)
  })?.name
}

function sameSlash24(a: string, b: string): boolean {
  return a.split('.').slice(0, 3).join('.') === b.split('.').slice(0, 3).join('.')
}

/** `10.20.1.7` inside `10.20.0.0/22`. */
export function insideCidr(address: string, cidr: string): boolean {
  const [base = '', lengthText = '32'] = cidr.split('/')
  const length = Number(lengthText)
  if (!isIPv4(address) || !isIPv4(base) || !(length >= 0 && length <= 32)) return false
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0
  return (toNumber(address) & mask) >>> 0 === (toNumber(base) & mask) >>> 0
}

function toNumber(address: string): number {
  return address.split('.').reduce((sum, octet) => (sum * 256 + Number(octet)) >>> 0, 0)
}
