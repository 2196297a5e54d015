import { formatIpAddress, parseIpAddress } from '../lib/ip-address/index.js'
import { InvalidInputError } from '../provision/errors.js'
import type { Cluster } from '../pve/cluster.js'
import { PveError } from '../pve/errors.js'
import type { AddressTable } from '../store/index.js'
import type { AddressBook, HeldAddresses, NetworkUsage, PoolUsage } from './address-book.js'
import { PoolExhaustedError } from './errors.js'
import { ipconfigAddresses } from './ipconfig-addresses.js'
import type { NetworksConfig, StaticIpv4, StaticIpv6, VmNetwork } from './network.js'
import { poolOf, type AddressPool } from './pool.js'
import type { AddressProbe } from './probe.js'
import { seedAddress } from './seed-address.js'

/** Options of {@link createStoreAddressBook}. */
export interface StoreAddressBookOptions {
  networks: NetworksConfig
  /** where holds and assignments are kept (the store's `addresses`) */
  table: AddressTable
  /** read by `reconcile`: every VM, then each VM's config */
  cluster: Pick<Cluster, 'resources' | 'vmConfig'>
  /** asked about each address before it is handed out (`IP_PROBE`) */
  probe: AddressProbe
  /** told of each address the probe found answering */
  warn: (fields: Record<string, unknown>, message: string) => void
}

/** Addresses of one hold that answered the probe before the book gives up on the pool. */
const maxProbeAnswers = 16
/** VM configs read at once by `reconcile`. */
const reconcileConcurrency = 8

/**
 * The address book over the store: holds and assignments are rows (one per network and
 * address, so a second hold of the same address is refused by the primary key), the cluster's
 * view is what the last `reconcile` read from every VM's `ipconfigN`. A candidate is checked
 * and held in one synchronous step, so installs running at once never get the same address;
 * only then is it probed. Holds do not survive a restart (no install does): they are dropped
 * when the book is made.
 */
export function createStoreAddressBook(options: StoreAddressBookOptions): AddressBook {
  const { table, probe } = options
  const pools = new Map<string, { ipv4?: AddressPool; ipv6?: AddressPool }>()
  for (const network of options.networks.networks) pools.set(network.name, poolsOf(network))
  /** address → VMID, of every VM on the cluster (last reconcile) */
  let onCluster = new Map<string, number>()
  /** VMIDs on the cluster (last reconcile): the VMID range's addresses are theirs */
  let vmidsOnCluster = new Set<number>()
  /** addresses the probe found answering (until the next reconcile) */
  const answering = new Set<string>()
  let reconciling: Promise<void> | undefined
  /** a static pool is handed out only after the cluster was read once */
  let reconciled = false
  /**
   * Per network and family, the first pool value a search need look at: below it nothing was
   * free. Forgotten whenever an address may have become free (release, destroy, a new read).
   */
  const hints = new Map<string, bigint>()
  table.releaseAllHolds()

  const takenBy = (network: string, address: string): string | undefined => {
    const vmid = onCluster.get(address)
    if (vmid !== undefined) return `VM ${vmid} uses it`
    const row = table.find(network, address)
    if (row?.state === 'assigned') return `VM ${row.vmid ?? '?'} was given it`
    if (row !== undefined) return 'an install in progress holds it'
    if (answering.has(address)) return 'something answered ping there'
    return undefined
  }

  const isFree = (network: string, address: string): boolean =>
    table.find(network, address) === undefined && !onCluster.has(address) && !answering.has(address)

  const firstFree = (network: string, pool: AddressPool): string | undefined => {
    for (const candidate of pool.addresses(hints.get(`${network}/${pool.family}`))) {
      const address = formatIpAddress(candidate)
      if (isFree(network, address)) return address
    }
    return undefined
  }

  const holdFrom = async (
    network: VmNetwork,
    pool: AddressPool,
    owner: string,
    vmid: number,
    requested: string | undefined,
    signal: AbortSignal,
  ): Promise<string> => {
    const free = (address: string): boolean => isFree(network.name, address)
    const holdOne = (address: string): boolean =>
      table.hold({ network: network.name, address, family: pool.family, owner, vmid })
    if (requested !== undefined) {
      const why = takenBy(network.name, requested)
      if (why !== undefined || !holdOne(requested)) {
        throw new InvalidInputError(
          'ip',
          `${requested} is not free on network ${network.name}: ${why ?? 'held'}`,
        )
      }
      if (await probe(requested, signal)) {
        table.drop(network.name, requested, owner)
        answering.add(requested)
        throw new InvalidInputError(
          'ip',
          `${requested} answers ping: a host not known to Proxmox uses it`,
        )
      }
      return requested
    }
    let answers = 0
    const hintKey = `${network.name}/${pool.family}`
    for (const candidate of pool.addresses(hints.get(hintKey))) {
      signal.throwIfAborted()
      const address = formatIpAddress(candidate)
      // check and hold without an await between them: no other hold runs in between
      if (!free(address) || !holdOne(address)) continue
      // everything below is held, used or answering: the next hold starts its search here
      hints.set(hintKey, candidate.value + 1n)
      if (!(await probe(address, signal))) return address
      table.drop(network.name, address, owner)
      answering.add(address)
      options.warn({ network: network.name, address }, 'address answers ping; skipped')
      if (++answers >= maxProbeAnswers) {
        throw new PoolExhaustedError(
          network.name,
          `${answers} free addresses in a row answered ping; check the pool against the hosts on the network`,
        )
      }
    }
    throw new PoolExhaustedError(
      network.name,
      `no free address left in the pool of ${pool.size} addresses`,
    )
  }

  const reconcile = (signal?: AbortSignal): Promise<void> => {
    reconciling ??= (async () => {
      const before = table.rows()
      const { addresses, vmids } = await readClusterAddresses(options.cluster, signal)
      onCluster = addresses
      vmidsOnCluster = vmids
      answering.clear()
      hints.clear()
      reconciled = true
      // an assignment whose VM was destroyed elsewhere is freed (rows older than the read)
      for (const row of before) {
        if (row.state === 'assigned' && row.vmid !== undefined && !vmids.has(row.vmid)) {
          table.releaseVm(row.vmid)
        }
      }
    })().finally(() => {
      reconciling = undefined
    })
    return reconciling
  }

  return {
    async hold(network, owner, { vmid, requestedIp, signal }) {
      const requested = requestedIp === undefined ? undefined : checkRequested(network, requestedIp)
      const familyPools = pools.get(network.name) ?? poolsOf(network)
      const static_ = familyPools.ipv4 !== undefined || familyPools.ipv6 !== undefined
      // an address a VM made elsewhere uses must be known before any is handed out
      if (static_ && !reconciled) {
        // shared with other holds: not cancelled by this job's signal, only checked after it
        await reconcile()
        signal.throwIfAborted()
      }
      const held: { ipv4?: string; ipv6?: string } = {}
      try {
        if (network.ipv4.mode === 'seed') {
          const address = seedAddress(network.ipv4.gateway, vmid)
          if (requested !== undefined && requested.text !== address) {
            throw new InvalidInputError(
              'ip',
              `on network ${network.name} the address follows the VMID: VM ${vmid} gets ${address}, not ${requested.text}`,
            )
          }
          table.holdReplacing({ network: network.name, address, family: 4, owner, vmid })
          held.ipv4 = address
        } else if (familyPools.ipv4 !== undefined) {
          const wanted = requested?.family === 4 ? requested.text : undefined
          held.ipv4 = await holdFrom(network, familyPools.ipv4, owner, vmid, wanted, signal)
        }
        if (familyPools.ipv6 !== undefined) {
          const wanted = requested?.family === 6 ? requested.text : undefined
          held.ipv6 = await holdFrom(network, familyPools.ipv6, owner, vmid, wanted, signal)
        }
      } catch (error) {
        table.releaseOwner(owner)
        hints.clear()
        throw error
      }
      const result: HeldAddresses = { network: network.name, ...held }
      return result
    },
    assign: (owner, vmid) => {
      table.assign(owner, vmid)
    },
    release: (owner) => {
      table.releaseOwner(owner)
      hints.clear()
    },
    releaseVm(vmid) {
      table.releaseVm(vmid)
      hints.clear()
      // the VM is gone: its addresses are free now, not at the next reconcile
      onCluster = new Map([...onCluster].filter(([, owner]) => owner !== vmid))
      vmidsOnCluster.delete(vmid)
    },
    reconcile,
    nextFree(network) {
      const familyPools = pools.get(network.name) ?? poolsOf(network)
      if (!reconciled) return {}
      const ipv4 = familyPools.ipv4 && firstFree(network.name, familyPools.ipv4)
      const ipv6 = familyPools.ipv6 && firstFree(network.name, familyPools.ipv6)
      return {
        ...(ipv4 === undefined ? {} : { ipv4 }),
        ...(ipv6 === undefined ? {} : { ipv6 }),
      }
    },
    usage: () =>
      options.networks.networks.map((network) =>
        usageOf(network, pools.get(network.name) ?? {}, table, {
          onCluster,
          vmids: vmidsOnCluster,
          answering,
        }),
      ),
  }
}

function poolsOf(network: VmNetwork): { ipv4?: AddressPool; ipv6?: AddressPool } {
  const { ipv4, ipv6 } = network
  return {
    ...(ipv4.mode === 'static' ? { ipv4: poolOf(ipv4) } : {}),
    ...(ipv6?.mode === 'static' ? { ipv6: poolOf(ipv6) } : {}),
  }
}

/** The requested address in canonical form, refused unless it belongs to the network. */
function checkRequested(network: VmNetwork, text: string): { family: 4 | 6; text: string } {
  const address = parseIpAddress(text)
  if (address === undefined) {
    throw new InvalidInputError(
      'ip',
      `must be an IPv4 or IPv6 address, got ${JSON.stringify(text)}`,
    )
  }
  const canonical = formatIpAddress(address)
  const family = address.family === 4 ? network.ipv4 : network.ipv6
  if (family === undefined || (family.mode !== 'static' && family.mode !== 'seed')) {
    throw new InvalidInputError(
      'ip',
      `network ${network.name} hands out no IPv${address.family} address of its own (${family?.mode ?? 'none'})`,
    )
  }
  if (family.mode === 'static' && !poolOf(family).contains(address)) {
    throw new InvalidInputError(
      'ip',
      `${canonical} is not in the pool of network ${network.name} (${describePool(family)})`,
    )
  }
  return { family: address.family, text: canonical }
}

function describePool(family: StaticIpv4 | StaticIpv6): string {
  if (family.pool === undefined)
    return 'cidr' in family ? family.cidr : `${family.prefix}/${family.prefixLength}`
  return family.pool
    .map((range) => (range.from === range.to ? range.from : `${range.from}-${range.to}`))
    .join(', ')
}

async function readClusterAddresses(
  cluster: StoreAddressBookOptions['cluster'],
  signal: AbortSignal | undefined,
): Promise<{ addresses: Map<string, number>; vmids: Set<number> }> {
  const { vms } = await cluster.resources(signal === undefined ? {} : { signal })
  const addresses = new Map<string, number>()
  const queue = [...vms]
  const worker = async (): Promise<void> => {
    for (let vm = queue.shift(); vm !== undefined; vm = queue.shift()) {
      try {
        const config = await cluster.vmConfig(
          vm.node,
          vm.vmid,
          signal === undefined ? {} : { signal },
        )
        for (const address of ipconfigAddresses(config)) addresses.set(address, vm.vmid)
      } catch (error) {
        // destroyed between the list and the read: nothing of it to keep
        if (error instanceof PveError && error.kind === 'vm_not_found') continue
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: reconcileConcurrency }, worker))
  return { addresses, vmids: new Set(vms.map((vm) => vm.vmid)) }
}

/** What the last read of the cluster and the probe found. */
interface SeenInUse {
  /** address → VMID, from the VMs' ipconfigN */
  onCluster: ReadonlyMap<string, number>
  /** every VMID on the cluster */
  vmids: ReadonlySet<number>
  /** addresses that answered the probe */
  answering: ReadonlySet<string>
}

function usageOf(
  network: VmNetwork,
  pools: { ipv4?: AddressPool; ipv6?: AddressPool },
  table: AddressTable,
  seen: SeenInUse,
): NetworkUsage {
  const rows = table.rows().filter((row) => row.network === network.name)
  const { ipv4 } = network
  // the VMID-follows-address network: a VM in the range has its address, ipconfig or not
  const byVmid =
    ipv4.mode === 'seed' ? [...seen.vmids].map((vmid) => seedAddress(ipv4.gateway, vmid)) : []
  const count = (pool: Pick<AddressPool, 'size' | 'contains'>): PoolUsage => {
    const inPool = (text: string): boolean => {
      const address = parseIpAddress(text)
      return address !== undefined && pool.contains(address)
    }
    const held = new Set(
      rows.filter((r) => r.state === 'held' && inPool(r.address)).map((r) => r.address),
    )
    const used = new Set(
      [
        ...rows.filter((r) => r.state === 'assigned').map((r) => r.address),
        ...seen.onCluster.keys(),
        ...seen.answering,
        ...byVmid,
      ].filter((address) => inPool(address) && !held.has(address)),
    )
    const size = Number(pool.size)
    return {
      size,
      used: used.size,
      held: held.size,
      free: Math.max(0, size - used.size - held.size),
    }
  }
  const v4 = ipv4.mode === 'seed' ? seedPool(ipv4.gateway, ipv4.ipStart, ipv4.ipEnd) : pools.ipv4
  return {
    network: network.name,
    ...(v4 === undefined ? {} : { ipv4: count(v4) }),
    ...(pools.ipv6 === undefined ? {} : { ipv6: count(pools.ipv6) }),
  }
}

/** The seed's addresses as a pool: the gateway's /24, last octet from start to end. */
function seedPool(
  gateway: string,
  start: number,
  end: number,
): Pick<AddressPool, 'size' | 'contains'> {
  const first = parseIpAddress(seedAddress(gateway, start))
  const last = parseIpAddress(seedAddress(gateway, end))
  return {
    size: BigInt(end - start + 1),
    contains: (address) =>
      first !== undefined &&
      last !== undefined &&
      address.family === 4 &&
      address.value >= first.value &&
      address.value <= last.value,
  }
}
