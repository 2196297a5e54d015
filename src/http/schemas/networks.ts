import { Type, type Static } from '@sinclair/typebox'

const count = (description: string): ReturnType<typeof Type.Integer> =>
  Type.Integer({ minimum: 0, description })

/** One address family of a network and, for a pool the service hands out, its counts. */
export const NetworkAddressingSchema = Type.Object({
  mode: Type.Union(
    [Type.Literal('vmid'), Type.Literal('static'), Type.Literal('dhcp'), Type.Literal('slaac')],
    {
      description:
        '`vmid`: the address is the gateway’s /24 with the VMID as last octet; `static`: from the pool; ' +
        '`dhcp`/`slaac`: the network hands it out',
    },
  ),
  cidr: Type.Optional(Type.String({ examples: ['10.20.0.0/22'] })),
  gateway: Type.Optional(Type.String({ examples: ['10.20.0.1'] })),
  dns: Type.Optional(Type.Array(Type.String())),
  pool: Type.Optional(
    Type.Array(Type.String(), {
      description: 'ranges (`first-last`) and single addresses handed out',
      examples: [['10.20.0.10-10.20.3.250']],
    }),
  ),
  size: Type.Optional(count('addresses in the pool')),
  used: Type.Optional(count('given to VMs (by this service or seen in a VM’s ipconfig)')),
  held: Type.Optional(count('held by installs in progress')),
  free: Type.Optional(count('neither used nor held')),
})
export type NetworkAddressing = Static<typeof NetworkAddressingSchema>

/** One network VMs can be installed on, as `GET /api/networks` lists it. */
export const NetworkEntrySchema = Type.Object({
  name: Type.String({ description: 'the install request `network`', examples: ['lan'] }),
  default: Type.Boolean({ description: 'installs without `network` use this one (the first)' }),
  bridge: Type.String({ examples: ['vmbr0'] }),
  vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094 })),
  mtu: Type.Optional(Type.Integer({ minimum: 1, maximum: 65520 })),
  firewall: Type.Boolean(),
  description: Type.Optional(Type.String()),
  ipv4: NetworkAddressingSchema,
  ipv6: Type.Optional(NetworkAddressingSchema),
})
export type NetworkEntry = Static<typeof NetworkEntrySchema>

/** `GET /api/networks?refresh=1` reads the addresses every VM uses again first. */
export const NetworkListQuery = Type.Object({
  refresh: Type.Optional(
    Type.Union(
      [Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')],
      {
        description: "`1`: read every VM's ipconfig from Proxmox again before counting",
      },
    ),
  ),
})

/** `GET /api/networks`: the networks in file order, and the VMIDs installs on them get. */
export const NetworkListReply = Type.Object({
  success: Type.Boolean(),
  networks: Type.Array(NetworkEntrySchema),
  vmid_range: Type.Object(
    { start: Type.Integer(), end: Type.Integer() },
    {
      description:
        'VMIDs of installs on a network of the networks file (the network without a file keeps ASSIGN_IP_START..END)',
    },
  ),
})
export type NetworkListReply = Static<typeof NetworkListReply>
