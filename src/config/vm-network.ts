/**
 * The networks new VMs are put on, as the configuration defines them (`NETWORKS_FILE`, or the
 * one implicit network of `GATEWAY`/`ASSIGN_IP_START..END` on vmbr0). Plain data, deep-frozen
 * with the rest of the configuration; `src/networks` re-exports it as the model the install
 * pipeline and the address book use.
 */

/** Addresses a pool hands out: an inclusive range; a single address has `from` equal to `to`. */
export interface AddressRange {
  readonly from: string
  readonly to: string
}

/** The seed's scheme: the VM's address is the gateway's first three octets and the VMID, /24. */
export interface SeedIpv4 {
  readonly mode: 'seed'
  readonly gateway: string
  /** first VMID (and last octet) handed out (`ASSIGN_IP_START`) */
  readonly ipStart: number
  /** last VMID (and last octet) handed out (`ASSIGN_IP_END`) */
  readonly ipEnd: number
}

/** Static IPv4 addresses from a pool, independent of the VMID. */
export interface StaticIpv4 {
  readonly mode: 'static'
  /** the network in canonical form, `10.20.0.0/22` */
  readonly cidr: string
  readonly prefixLength: number
  readonly gateway: string
  /** name servers cloud-init writes (`nameserver`); may be empty */
  readonly dns: readonly string[]
  /** what the pool hands out, in order; absent: every host address of `cidr` but the gateway */
  readonly pool?: readonly AddressRange[]
}

/** Static IPv6 addresses from a pool. */
export interface StaticIpv6 {
  readonly mode: 'static'
  /** the prefix in canonical form, `2001:db8:1::` */
  readonly prefix: string
  readonly prefixLength: number
  readonly gateway?: string
  /** what the pool hands out, in order; absent: the prefix's addresses from `::100` on */
  readonly pool?: readonly AddressRange[]
}

/** One network a VM can be installed on. */
export interface VmNetwork {
  readonly name: string
  /** the Proxmox bridge of `net0` (`vmbr0`) */
  readonly bridge: string
  /** the VLAN tag (`tag=` of `net0`), 1..4094 */
  readonly vlan?: number
  readonly mtu?: number
  /** `firewall=1` on `net0` */
  readonly firewall: boolean
  readonly ipv4: SeedIpv4 | StaticIpv4 | { readonly mode: 'dhcp' }
  readonly ipv6?: StaticIpv6 | { readonly mode: 'slaac' } | { readonly mode: 'dhcp' }
  /** free text from the networks file, shown by `GET /api/networks` */
  readonly description?: string
}

/** Every network, and how installs on them get VMIDs and addresses. */
export interface NetworksConfig {
  /** the networks in file order; the first is the default of an install */
  readonly networks: readonly VmNetwork[]
  /** first VMID of installs on a network that is not in the seed's mode (`VMID_START`) */
  readonly vmidStart: number
  /** last VMID of those installs (`VMID_END`) */
  readonly vmidEnd: number
  /** whether an address is pinged before it is handed out (`IP_PROBE`, default `ping`) */
  readonly probe: 'ping' | 'off'
  /** true when `NETWORKS_FILE` defined the networks; false for the seed's implicit one */
  readonly fromFile: boolean
  /** `NETWORKS_FILE`, absolute, when set */
  readonly file?: string
}
