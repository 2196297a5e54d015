import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type {
  AddressBook,
  AddressRange,
  NetworksConfig,
  NetworkUsage,
  PoolUsage,
  VmNetwork,
} from '../../networks/index.js'
import {
  NetworkListQuery,
  NetworkListReply,
  type NetworkAddressing,
  type NetworkEntry,
} from '../schemas/networks.js'

export interface NetworkRoutesOptions {
  /** the configured networks (`NETWORKS_FILE`, or the seed's one) */
  networks: NetworksConfig
  /** their pools' counts; `reconcile` reads the cluster again */
  addresses: Pick<AddressBook, 'usage' | 'reconcile'>
}

/**
 * `GET /api/networks`: every network with its bridge, VLAN, MTU, firewall, addressing and pool
 * counts. The first answer reads what every VM uses from Proxmox (so the seed's network, which
 * needs no read at start, counts right too); later ones count from what the service knows,
 * unless `refresh=1` asks for a new read.
 */
export const networkRoutes: FastifyPluginAsyncTypebox<NetworkRoutesOptions> = async (
  app,
  options,
) => {
  const { networks, addresses } = options
  let read = false
  app.get(
    '/networks',
    {
      config: { replyAs: 'json' },
      schema: { querystring: NetworkListQuery, response: { 200: NetworkListReply } },
    },
    async (request) => {
      const { refresh } = request.query
      if (!read || refresh === '1' || refresh === 'true') {
        await addresses.reconcile()
        read = true
      }
      const usage = addresses.usage()
      return {
        success: true,
        networks: networks.networks.map((network, index) =>
          present(
            network,
            index === 0,
            usage.find((entry) => entry.network === network.name),
          ),
        ),
        vmid_range: { start: networks.vmidStart, end: networks.vmidEnd },
      }
    },
  )
}

function present(
  network: VmNetwork,
  isDefault: boolean,
  usage: NetworkUsage | undefined,
): NetworkEntry {
  const { ipv4, ipv6 } = network
  return {
    name: network.name,
    default: isDefault,
    bridge: network.bridge,
    ...(network.vlan === undefined ? {} : { vlan: network.vlan }),
    ...(network.mtu === undefined ? {} : { mtu: network.mtu }),
    firewall: network.firewall,
    ...(network.description === undefined ? {} : { description: network.description }),
    ipv4: presentIpv4(ipv4, usage?.ipv4),
    ...(ipv6 === undefined ? {} : { ipv6: presentIpv6(ipv6, usage?.ipv6) }),
  }
}

function presentIpv4(ipv4: VmNetwork['ipv4'], usage: PoolUsage | undefined): NetworkAddressing {
  switch (ipv4.mode) {
    case 'dhcp':
      return { mode: 'dhcp' }
    case 'seed': {
      const prefix = ipv4.gateway.split('.').slice(0, 3).join('.')
      return {
        mode: 'vmid',
        cidr: `${prefix}.0/24`,
        gateway: ipv4.gateway,
        pool: [`${prefix}.${ipv4.ipStart}-${prefix}.${ipv4.ipEnd}`],
        ...counts(usage),
      }
    }
    case 'static':
      return {
        mode: 'static',
        cidr: ipv4.cidr,
        gateway: ipv4.gateway,
        dns: [...ipv4.dns],
        pool: ipv4.pool === undefined ? [ipv4.cidr] : ipv4.pool.map(rangeText),
        ...counts(usage),
      }
  }
}

function presentIpv6(
  ipv6: NonNullable<VmNetwork['ipv6']>,
  usage: PoolUsage | undefined,
): NetworkAddressing {
  if (ipv6.mode !== 'static') return { mode: ipv6.mode }
  const cidr = `${ipv6.prefix}/${ipv6.prefixLength}`
  return {
    mode: 'static',
    cidr,
    ...(ipv6.gateway === undefined ? {} : { gateway: ipv6.gateway }),
    pool: ipv6.pool === undefined ? [cidr] : ipv6.pool.map(rangeText),
    ...counts(usage),
  }
}

function rangeText(range: AddressRange): string {
  return range.from === range.to ? range.from : `${range.from}-${range.to}`
}

function counts(usage: PoolUsage | undefined): Partial<NetworkAddressing> {
  return usage === undefined ? {} : { ...usage }
}
