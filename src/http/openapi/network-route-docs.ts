import type { RouteDoc } from './route-docs.js'

/** An example answer of `GET /api/networks`: a static /22, a DHCP network with SLAAC. */
export const networkListExample = {
  success: true,
  networks: [
    {
      name: 'lan',
      default: true,
      bridge: 'vmbr0',
      firewall: true,
      ipv4: {
        mode: 'static',
        cidr: '10.20.0.0/22',
        gateway: '10.20.0.1',
        dns: ['10.20.0.2'],
        pool: ['10.20.0.10-10.20.3.250'],
        size: 1009,
        used: 41,
        held: 2,
        free: 966,
      },
      ipv6: {
        mode: 'static',
        cidr: '2001:db8:20::/64',
        gateway: '2001:db8:20::1',
        pool: ['2001:db8:20::100-2001:db8:20::1ff'],
        size: 256,
        used: 41,
        held: 2,
        free: 213,
      },
    },
    {
      name: 'office',
      default: false,
      bridge: 'vmbr1',
      vlan: 20,
      firewall: false,
      ipv4: { mode: 'dhcp' },
      ipv6: { mode: 'slaac' },
    },
  ],
  vmid_range: { start: 1000, end: 8999 },
}

/** The network route's summary and example (merged into `routeDocs`). */
export const networkRouteDocs: Record<string, RouteDoc> = {
  'GET /api/networks': {
    summary: 'The networks VMs can be installed on, with free and used addresses',
    description:
      'From NETWORKS_FILE, or the one network of GATEWAY and ASSIGN_IP_START..END on vmbr0. ' +
      'Counts cover the addresses this service handed out and those seen in every VM’s ' +
      'ipconfig on the cluster; `refresh=1` reads the cluster again first.',
    tag: 'catalog',
    responses: {
      200: {
        description: 'every network',
        contentType: 'application/json',
        example: networkListExample,
      },
    },
  },
}
