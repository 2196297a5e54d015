import type { VmNetwork } from './network.js'

/** What an install holds of a network: the addresses it will write into the VM's `ipconfig0`. */
export interface HeldAddresses {
  readonly network: string
  readonly ipv4?: string
  readonly ipv6?: string
}

/** Counts of one pool (IPv4 or IPv6) of a network. */
export interface PoolUsage {
  /** addresses the pool can hand out */
  readonly size: number
  /** given to VMs (assigned by this service, or seen in a VM's ipconfig on the cluster) */
  readonly used: number
  /** held by installs in flight */
  readonly held: number
  /** neither used nor held */
  readonly free: number
}

/** Per network, the counts of its pools; a DHCP or SLAAC family has none. */
export interface NetworkUsage {
  readonly network: string
  readonly ipv4?: PoolUsage
  readonly ipv6?: PoolUsage
}

/** Options of {@link AddressBook.hold}. */
export interface HoldOptions {
  /** the VMID the install creates (the seed's mode derives the address from it) */
  vmid: number
  /** an address the caller asks for: must be free and inside the pool */
  requestedIp?: string
  signal: AbortSignal
}

/**
 * Who holds which address of which network: installs in flight (a hold, by job id) and VMs
 * (assigned). The port the install pipeline and the lifecycle operations use.
 */
export interface AddressBook {
  /**
   * Atomically holds free addresses of `network` for `owner` (a job id), checked against the
   * store, the reconciled cluster view and the probe; `requestedIp` must be free and in the pool
   * (InvalidInputError('ip', …) otherwise). Seed mode: the address follows `vmid`. DHCP: nothing
   * held.
   */
  hold(network: VmNetwork, owner: string, options: HoldOptions): Promise<HeldAddresses>
  /** the install succeeded: the hold becomes the VM's (kept until destroy) */
  assign(owner: string, vmid: number): void
  /** rollback: frees what `owner` held */
  release(owner: string): void
  /** destroy: frees the VM's addresses */
  releaseVm(vmid: number): void
  /** reads every VM's ipconfigN from the cluster and records addresses in use (start, and on demand) */
  reconcile(signal?: AbortSignal): Promise<void>
  /** per network: pool size, used, held, free (GET /api/networks) */
  usage(): NetworkUsage[]
  /**
   * The addresses a hold on `network` would try first, holding and probing nothing (the
   * dry-run's plan): per static pool its lowest free address; none before the cluster was read
   * once, nor for the seed's, DHCP or SLAAC addressing.
   */
  nextFree(network: VmNetwork): { ipv4?: string; ipv6?: string }
}
