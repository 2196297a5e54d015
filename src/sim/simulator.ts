import { EventEmitter } from 'node:events'
import { AppError } from '../errors.js'
import { createRouter } from './api/router.js'
import type { SimApi } from './api/types.js'
import type { SimContext } from './context.js'
import { Faults } from './faults.js'
import type { FaultInjector } from './faults.js'
import { importDisk } from './import-disk.js'
import type { ImportDiskArgs } from './import-disk.js'
import { FileLocks } from './locks/file-locks.js'
import { createPacer } from './pacer.js'
import { allRoutes } from './routes/index.js'
import { buildBridges, defaultBridges, type SimBridgeSpec } from './network/bridges.js'
import { createNetworkControl, type SimNetworkControl } from './network/control.js'
import { installGuestAgent } from './network/guest-agent.js'
import { guestNics, primaryAddresses } from './network/guest-nics.js'
import { createNetworkState, type DhcpRange } from './network/network-state.js'
import { Statd } from './statd.js'
import { timings } from './timings.js'
import { seedDemoVms } from './state/demo.js'
import { buildNode, defaultNodes, sharedNfsStorage } from './state/nodes.js'
import { loadState } from './state/persistence.js'
import { Persister } from './state/persister.js'
import type { ClusterState } from './state/types.js'
import { storageUsed, volumesOn } from './state/volumes.js'
import { createStorageControl, type SimStorageControl } from './state/storage-control.js'
import { TaskManager } from './tasks/task-manager.js'

export interface SimulatorOptions {
  /** folder for `sim-state.json`; undefined = in memory only */
  dataDir?: string
  /** 1 = realistic Proxmox timings, 0 = instant (still async), 0.25 = 4x faster */
  speed: number
  /** cluster nodes; default pve1, pve2, pve3 with ips 127.0.1.1..3 */
  nodes?: { name: string; ip: string }[]
  /** the node the service runs on (first node by default) */
  mainNode?: string
  /** seed demo VMs when there is no saved state (default true) */
  demoVms?: boolean
  /** the VMs' gateway (GATEWAY): demo VMs get `<its first three octets>.<vmid>`; default 127.0.0.1 */
  gateway?: string
  /** override per-node CPU flags (e.g. an old CPU without avx2 for x86-64-v3 tests) */
  cpuFlags?: Record<string, string[]>
  /**
   * per-node bridges in place of the default `vmbr0` (VLAN-aware) and `vmbr1` (not VLAN-aware),
   * e.g. `{ pve3: [{ iface: 'vmbr0', vlanAware: true }] }` for a pve3 without vmbr1
   */
  bridges?: Record<string, SimBridgeSpec[]>
  /** the simulated DHCP servers' pool (loopback only); default 127.0.2.10-127.0.2.250 */
  dhcpRange?: DhcpRange
  /** ms at speed 1 from power-on until a guest's OS (and its agent) is up; default 12 s */
  guestBootMs?: number
  /**
   * the ID of a shared NFS storage every node mounts (`SIM_SHARED_STORAGE`, e.g. `nfs-shared`):
   * one volume set seen from every node, locked cluster-wide (src/sim/state/nodes.ts
   * `sharedNfsStorage`); undefined = none, each node has only `local` and `local-lvm`
   */
  sharedStorage?: string
}

export type VmEvent = 'vm-started' | 'vm-stopped'
export interface VmEventPayload {
  vmid: number
  node: string
  config: Record<string, string>
  /** net0's addresses in the guest (static, DHCP lease, SLAAC); on `vm-started` */
  addresses?: { ipv4?: string; ipv6: string[] }
}

/** What tests and benchmarks can see of the cluster at once. */
export interface SimSnapshot {
  vms: {
    vmid: number
    node: string
    status: 'running' | 'stopped'
    config: Record<string, string>
    pending: Record<string, string>
    /** a running VM's net0 addresses in the guest (what the simulated guests listen on) */
    addresses?: { ipv4?: string; ipv6: string[] }
  }[]
  /**
   * every storage of every node; a shared storage is listed under each node with the same
   * volumes (as /cluster/resources lists it), so count its volumes under one node only
   */
  storages: {
    node: string
    storage: string
    type: string
    shared: boolean
    total: number
    used: number
    volumes: {
      volid: string
      content: string
      format: string
      size: number
      used: number
      vmid?: number
      /** whether the OS on the disk has qemu-guest-agent, when the simulator knows */
      qemuGuestAgent?: boolean
    }[]
  }[]
}

export interface Simulator {
  readonly api: SimApi
  readonly nodes: readonly string[]
  readonly mainNode: string
  /** CLI-only operation (qm disk import / importdisk runs locally, no API method, no task) */
  importDisk(args: ImportDiskArgs): Promise<{ key: string; volid: string }>
  /** follow a task: resolves with its exitstatus when it ends; onLine gets each log line as
   * written (without the closing `TASK OK/ERROR/WARNINGS` line), for CLI foreground tasks */
  followTask(upid: string, onLine?: (line: string) => void): Promise<string>
  readonly faults: FaultInjector
  /** bridges, DHCP leases, guest agents, the ping answer (src/sim/network/control.ts) */
  readonly network: SimNetworkControl
  /** snippet files and content types of the nodes' storages (src/sim/state/storage-control.ts) */
  readonly storage: SimStorageControl
  /**
   * The guest OS of VM `vmid` installed and enabled qemu-guest-agent (the simulated guests call
   * this when a first-boot script that sets it up succeeds): its boot disk has the agent from
   * now on, so `agent/*` answers once the OS has booted. False when the VM has no boot volume.
   */
  installGuestAgent(vmid: number): boolean
  /** observe power changes (simulated guests will answer SSH while a VM runs) */
  on(event: VmEvent, listener: (vm: VmEventPayload) => void): void
  /** test/benchmark introspection: every VM with node, config, status; every volume per storage */
  snapshot(): SimSnapshot
  /** stop timers, end running tasks, flush state */
  close(): Promise<void>
}

function checkOptions(options: SimulatorOptions): {
  nodes: { name: string; ip: string }[]
  mainNode: string
} {
  const nodes = options.nodes ?? [...defaultNodes]
  if (nodes.length === 0) throw new AppError('SIM_BAD_OPTIONS', 'simulator needs at least one node')
  const names = new Set<string>()
  for (const node of nodes) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(node.name)) {
      throw new AppError(
        'SIM_BAD_OPTIONS',
        `simulator node name '${node.name}' is not a valid node name`,
      )
    }
    if (names.has(node.name))
      throw new AppError('SIM_BAD_OPTIONS', `simulator node '${node.name}' is listed twice`)
    names.add(node.name)
  }
  const mainNode = options.mainNode ?? nodes[0]?.name ?? ''
  if (!names.has(mainNode))
    throw new AppError(
      'SIM_BAD_OPTIONS',
      `mainNode '${mainNode}' is not one of the simulator's nodes`,
    )
  const shared = options.sharedStorage
  // pve-storage's `pve-storage-id` format (PVE/Storage/Plugin.pm, `parse_storage_id`)
  if (shared !== undefined && !/^[a-z][a-z0-9._-]*[a-z0-9]$/i.test(shared))
    throw new AppError('SIM_BAD_OPTIONS', `shared storage ID '${shared}' is not a storage ID`)
  if (shared === 'local' || shared === 'local-lvm')
    throw new AppError(
      'SIM_BAD_OPTIONS',
      `shared storage ID '${shared}' is taken by a node's own storage`,
    )
  if (!Number.isFinite(options.speed) || options.speed < 0) {
    throw new AppError(
      'SIM_BAD_OPTIONS',
      `simulator speed must be a number >= 0, got ${String(options.speed)}`,
    )
  }
  return { nodes, mainNode }
}

/**
 * Builds a simulated Proxmox VE cluster: loads `sim-state.json` from `dataDir` (or seeds demo
 * VMs), starts the pvestatd cycle, and answers API calls through `api.handle`.
 */
export async function createSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { nodes, mainNode } = checkOptions(options)
  const now = Date.now()
  const gateway = options.gateway ?? '127.0.0.1'
  const state: ClusterState = {
    nodes: nodes.map((spec, index) => {
      const node = buildNode(spec, index, now, options.cpuFlags?.[spec.name])
      const bridges = options.bridges?.[spec.name]
      node.bridges =
        bridges === undefined ? defaultBridges(spec.ip, gateway) : buildBridges(spec.name, bridges)
      if (options.sharedStorage !== undefined)
        node.storages.push(sharedNfsStorage(options.sharedStorage))
      return node
    }),
    volumes: [],
    vms: new Map(),
  }
  for (const name of Object.keys(options.bridges ?? {})) {
    if (!state.nodes.some((node) => node.name === name))
      throw new AppError(
        'SIM_BAD_OPTIONS',
        `bridges are given for '${name}', which is no simulator node`,
      )
  }
  const network = createNetworkState({
    ...(options.dhcpRange === undefined ? {} : { dhcpRange: options.dhcpRange }),
    guestBootMs: options.guestBootMs ?? timings.guestBootMs,
    gateway,
  })
  const loaded = options.dataDir === undefined ? false : await loadState(options.dataDir, state)
  if (!loaded && options.demoVms !== false) seedDemoVms(state, now, options.gateway)
  const pacer = createPacer(options.speed)
  const events = new EventEmitter()
  const persister = new Persister(options.dataDir, state, (error) => {
    events.emit('error', error)
  })
  // a failed save must not crash the process through an unhandled 'error' event
  events.on('error', () => undefined)
  const faults = new Faults()
  const tasks = new TaskManager()
  const statd = new Statd(state, pacer)
  const sim: SimContext = {
    state,
    tasks,
    locks: new FileLocks(),
    pacer,
    faults,
    statd,
    mainNode,
    network,
    events,
    changed: () => {
      persister.schedule()
    },
  }
  statd.start()
  if (!loaded) persister.schedule()
  const api = createRouter(sim, allRoutes)
  let closed = false
  return {
    api,
    nodes: state.nodes.map((n) => n.name),
    mainNode,
    importDisk: (args) => importDisk(sim, args),
    followTask: (upid, onLine) => tasks.follow(upid, onLine),
    faults,
    network: createNetworkControl(sim),
    storage: createStorageControl(sim),
    installGuestAgent: (vmid) => installGuestAgent(sim, vmid),
    on(event, listener) {
      events.on(event, listener)
    },
    snapshot: () => takeSnapshot(sim),
    async close() {
      if (closed) return
      closed = true
      statd.stop()
      // a test's held operation must not keep a closing simulator waiting
      faults.clear()
      await tasks.close()
      await persister.flush()
    },
  }
}

function takeSnapshot(sim: SimContext): SimSnapshot {
  const { state } = sim
  return {
    vms: [...state.vms.values()]
      .sort((a, b) => a.vmid - b.vmid)
      .map((vm) => ({
        vmid: vm.vmid,
        node: vm.node,
        status: vm.power,
        config: { ...vm.config },
        pending: { ...vm.pending },
        ...(vm.power === 'running' ? { addresses: primaryAddresses(guestNics(sim, vm)) } : {}),
      })),
    storages: state.nodes.flatMap((node) =>
      node.storages.map((storage) => ({
        node: node.name,
        storage: storage.id,
        type: storage.type,
        shared: storage.shared,
        total: storage.total,
        used: storageUsed(state, node.name, storage),
        volumes: volumesOn(state, node.name, storage.id).map((v) => ({
          volid: v.volid,
          content: v.content,
          format: v.format,
          size: v.size,
          used: v.used,
          ...(v.vmid === undefined ? {} : { vmid: v.vmid }),
          ...(v.qemuGuestAgent === undefined ? {} : { qemuGuestAgent: v.qemuGuestAgent }),
        })),
      })),
    ),
  }
}
