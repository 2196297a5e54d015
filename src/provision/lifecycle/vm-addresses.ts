import type { Cluster, OperationOptions, VmConfig, VmSummary } from '../../pve/cluster.js'
import { PveError } from '../../pve/errors.js'
import { configuredAddresses } from '../../pve/ipconfig.js'
import { agentAddresses, uniqueAddresses, type AgentInterface } from './agent-addresses.js'

/** Where a VM can be reached, as the list, info and the CLI show it. */
export interface VmAddressView {
  /** the first IPv4 address (the list's original `ip` field) */
  ip?: string
  /** every address, IPv4 first: static ones of `ipconfig0..N`, else what the guest agent reports */
  addresses: string[]
  /** the network (NETWORKS_FILE, or the implicit default) the VM is on, when one matches */
  network?: string
}

/** The guest agent's interfaces of a running VM (`Cluster.guestInterfaces`). */
export type ReadAgent = (
  node: string,
  vmid: number,
  options?: OperationOptions,
) => Promise<readonly AgentInterface[]>

export interface AddressReaders {
  /** the guest agent; absent: a DHCP VM's address stays unknown */
  agent?: ReadAgent
  /** names the network of a VM's config; absent: no network shown */
  networkOf?: (config: VmConfig) => string | undefined
}

/**
 * The addresses of one VM: its static `ipconfigN` addresses, and, when an interface takes its
 * address from DHCP or SLAAC and the VM runs, what the guest agent reports (nothing while the
 * agent does not answer yet). `known` is false when the agent could not be asked.
 */
export async function readVmAddresses(
  cluster: Pick<Cluster, 'vmConfig'>,
  vm: { node: string; vmid: number; running: boolean },
  readers: AddressReaders,
  options: OperationOptions = {},
): Promise<{ view: VmAddressView; config: VmConfig; complete: boolean }> {
  const config = await cluster.vmConfig(vm.node, vm.vmid, options)
  const configured = configuredAddresses(config)
  let entries: { address: string; family: 'ipv4' | 'ipv6' }[] = configured.static
  let complete = true
  if (configured.dynamic) {
    const learnt = vm.running ? await askAgent(readers.agent, vm, options) : undefined
    if (learnt === undefined) complete = false
    else entries = [...configured.static, ...learnt]
  }
  return { view: viewOf(entries, readers.networkOf?.(config)), config, complete }
}

/** The addresses a running guest's agent reports; undefined when it does not answer (yet). */
async function askAgent(
  agent: ReadAgent | undefined,
  vm: { node: string; vmid: number },
  options: OperationOptions,
): Promise<{ address: string; family: 'ipv4' | 'ipv6' }[] | undefined> {
  if (agent === undefined) return undefined
  try {
    return agentAddresses(await agent(vm.node, vm.vmid, options))
  } catch (error) {
    if (error instanceof PveError) return undefined
    throw error
  }
}

/** The view of some addresses (IPv4 first) on a network. */
export function viewOf(
  entries: readonly { address: string; family: 'ipv4' | 'ipv6' }[],
  network: string | undefined,
): VmAddressView {
  const sorted = [
    ...entries.filter((entry) => entry.family === 'ipv4'),
    ...entries.filter((entry) => entry.family === 'ipv6'),
  ]
  const ip = sorted.find((entry) => entry.family === 'ipv4')?.address
  return {
    ...(ip === undefined ? {} : { ip }),
    addresses: uniqueAddresses(sorted),
    ...(network === undefined ? {} : { network }),
  }
}

export interface VmAddressesOptions extends AddressReaders {
  /** how long a VM's static address is trusted before it is read again; default 10 min */
  ttlMs?: number
  /** how long an address the guest agent reported is trusted; default 1 min */
  agentTtlMs?: number
  /** a DHCP VM whose agent did not answer is asked again after this; default 5 s */
  retryMs?: number
  /** config reads at once in the background; default 2 */
  concurrency?: number
  now?: () => number
}

/** Each VM's addresses, learnt without slowing the list. */
export interface VmAddresses {
  /**
   * The known addresses of each of these VMs, answered at once from memory. A VM not seen yet
   * (or read too long ago) is read in the background, so it has its addresses by a later list;
   * the list itself never waits for one Proxmox read per VM.
   */
  lookup(vms: readonly VmSummary[]): Map<number, VmAddressView>
  /** Resolves when no background read is pending (tests, the info route). */
  settled(): Promise<void>
}

interface Known {
  view: VmAddressView | undefined
  /** read again after this (epoch ms) */
  until: number
  /** the VM was running when read: a start or stop changes what the agent knows */
  running: boolean
  /** some address comes from the guest agent */
  dynamic: boolean
}

/**
 * The list's `ip`, `addresses` and `network` fields. `/cluster/resources` holds no address, and
 * reading every VM's config on every list would cost one Proxmox read per VM (1.4 s each with
 * the cli driver), so the addresses are kept in memory: `ipconfigN` is written when a VM is
 * created and this service never changes it afterwards, so a static address only needs reading
 * once (again after `ttlMs`, which catches an edit made outside the service). A DHCP VM's
 * address comes from its guest agent: asked again after `agentTtlMs` (a lease may change), after
 * `retryMs` while the agent does not answer, and whenever the VM starts or stops. A VMID that
 * leaves the list is forgotten (a VM created again under it is read again).
 */
export function createVmAddresses(cluster: Cluster, options: VmAddressesOptions = {}): VmAddresses {
  const ttlMs = options.ttlMs ?? 10 * 60_000
  const agentTtlMs = options.agentTtlMs ?? 60_000
  const retryMs = options.retryMs ?? 5_000
  const concurrency = options.concurrency ?? 2
  const now = options.now ?? Date.now
  const known = new Map<number, Known>()
  const queue: VmSummary[] = []
  const queued = new Set<number>()
  let running = 0
  let idle: (() => void)[] = []

  const read = async (vm: VmSummary): Promise<Known> => {
    const isRunning = vm.status === 'running'
    try {
      const { view, config, complete } = await readVmAddresses(
        cluster,
        { node: vm.node, vmid: vm.vmid, running: isRunning },
        options,
      )
      const dynamic = configuredAddresses(config).dynamic
      const lifetime = !complete ? retryMs : dynamic ? agentTtlMs : ttlMs
      return { view, until: now() + lifetime, running: isRunning, dynamic }
    } catch {
      // unreadable now (moved, destroyed): tried again after the ttl, not on every list
      return { view: undefined, until: now() + ttlMs, running: isRunning, dynamic: false }
    }
  }

  const pump = (): void => {
    while (running < concurrency) {
      const vm = queue.shift()
      if (vm === undefined) break
      running += 1
      void read(vm)
        .then((entry) => known.set(vm.vmid, entry))
        .finally(() => {
          running -= 1
          queued.delete(vm.vmid)
          pump()
        })
    }
    if (running === 0 && queue.length === 0) {
      const waiting = idle
      idle = []
      for (const resolve of waiting) resolve()
    }
  }

  return {
    lookup(vms) {
      const listed = new Set(vms.map((vm) => vm.vmid))
      for (const vmid of known.keys()) if (!listed.has(vmid)) known.delete(vmid)
      const found = new Map<number, VmAddressView>()
      const at = now()
      for (const vm of vms) {
        const entry = known.get(vm.vmid)
        if (entry?.view !== undefined) found.set(vm.vmid, entry.view)
        const stale =
          entry === undefined ||
          entry.until < at ||
          // a DHCP VM started or stopped since: its agent's answer changed
          (entry.dynamic && entry.running !== (vm.status === 'running'))
        if (stale && !queued.has(vm.vmid)) {
          queued.add(vm.vmid)
          queue.push(vm)
        }
      }
      pump()
      return found
    },
    settled() {
      if (running === 0 && queue.length === 0) return Promise.resolve()
      return new Promise((resolve) => idle.push(resolve))
    },
  }
}

/** `ip=10.0.0.105/24,gw=10.0.0.1` → `10.0.0.105`; DHCP or none → undefined. */
export function addressOf(ipconfig: string | undefined): string | undefined {
  if (ipconfig === undefined) return undefined
  return configuredAddresses({ ipconfig0: ipconfig }).static.find(
    (entry) => entry.family === 'ipv4',
  )?.address
}
