import type { Cluster, ClusterResources, NodeSummary, VmSummary } from '../../pve/cluster.js'

/** One VM in the seed's `GET /api/vm/list` shape (sizes in MB and GB as the seed shows). */
export interface ListedVm {
  vmid: number
  name: string
  os: string
  running: boolean
  node: string
  cpu: number
  /** GB */
  disk: number
  /** MB */
  memory: number
  /** MB */
  memory_used: number
}

export interface ListedNode {
  node: string
  max_cpu: number
  /** MB */
  max_memory: number
  /** fraction 0..1 */
  cpu: number
  /** fraction 0..1 */
  memory: number
  /** MB */
  memory_used: number
  /** fraction 0..1 */
  disk: number
  running: boolean
}

export interface ClusterListing {
  vms: ListedVm[]
  nodes: ListedNode[]
}

const MB = 1024 * 1024
const GB = 1024 * MB

/** Reads the cluster once and shapes it as the seed's list. `osNames` are the tags that name an OS. */
export async function listCluster(
  cluster: Cluster,
  osNames: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<{ listing: ClusterListing; resources: ClusterResources }> {
  const resources = await cluster.resources(signal === undefined ? {} : { signal })
  const vms = resources.vms
    .filter((vm) => vm.template !== true)
    .sort((a, b) => a.vmid - b.vmid)
    .map((vm) => presentVm(vm, osNames))
  const nodes = resources.nodes.sort((a, b) => a.node.localeCompare(b.node)).map(presentNode)
  return { listing: { vms, nodes }, resources }
}

function presentVm(vm: VmSummary, osNames: ReadonlySet<string>): ListedVm {
  return {
    vmid: vm.vmid,
    name: vm.name ?? '',
    os: vm.tags?.find((tag) => osNames.has(tag)) ?? '',
    running: vm.status === 'running',
    node: vm.node,
    cpu: vm.maxcpu ?? 0,
    disk: Math.round((vm.maxdisk ?? 0) / GB),
    memory: Math.round((vm.maxmem ?? 0) / MB),
    memory_used: Math.round((vm.mem ?? 0) / MB),
  }
}

function presentNode(node: NodeSummary): ListedNode {
  return {
    node: node.node,
    max_cpu: node.maxcpu ?? 0,
    max_memory: Math.round((node.maxmem ?? 0) / MB),
    cpu: round(node.cpu ?? 0),
    memory: ratio(node.mem, node.maxmem),
    memory_used: Math.round((node.mem ?? 0) / MB),
    disk: ratio(node.disk, node.maxdisk),
    running: node.status === 'online',
  }
}

function ratio(used: number | undefined, total: number | undefined): number {
  if (used === undefined || total === undefined || total === 0) return 0
  return round(used / total)
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000
}
