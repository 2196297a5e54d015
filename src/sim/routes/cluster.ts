import { die, paramError } from '../api/errors.js'
import { tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import type { SimContext } from '../context.js'
import { nodeSoftware } from '../state/nodes.js'
import { nodeMetrics } from './node-metrics.js'
import { storageUsed } from '../state/volumes.js'

/**
 * What a caller may see (pve-manager PVE/API2/Cluster.pm `resources`): a VM only with VM.Audit
 * on it, a storage only with Datastore.Audit on it (Datastore.AllocateSpace is not enough), a
 * node's figures only with Sys.Audit on it (its name and status always). The simulator grants
 * privileges on the whole tree, so a token either sees all of a kind or none. Root sees all.
 */
function holds(rc: RouteContext, privilege: string): boolean {
  const privileges = rc.caller.privileges
  return privileges === undefined || privileges.has(privilege)
}

function vmEntries(sim: SimContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const vm of [...sim.state.vms.values()].sort((a, b) => a.vmid - b.vmid)) {
    const base = { id: `qemu/${vm.vmid}`, type: 'qemu', vmid: vm.vmid, node: vm.node }
    const rrd = sim.statd.entry(vm)
    if (!rrd) {
      out.push({ ...base, status: 'unknown' })
      continue
    }
    out.push({
      ...base,
      ...rrd,
      ...(vm.config.lock === undefined ? {} : { lock: vm.config.lock }),
      ...(vm.config.tags === undefined ? {} : { tags: vm.config.tags }),
    })
  }
  return out
}

function nodeEntries(sim: SimContext, withFigures: boolean): Record<string, unknown>[] {
  return sim.state.nodes.map((node) => {
    const m = nodeMetrics(sim, node)
    return {
      id: `node/${node.name}`,
      type: 'node',
      node: node.name,
      status: node.online ? 'online' : 'offline',
      ...(node.online && withFigures
        ? {
            cpu: m.cpu,
            maxcpu: node.cpu.cpus,
            mem: m.memUsed,
            maxmem: node.memoryTotal,
            disk: node.rootfsUsed,
            maxdisk: node.rootfsTotal,
            uptime: m.uptime,
          }
        : {}),
      level: '',
      'cgroup-mode': 2,
    }
  })
}

function storageEntries(sim: SimContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  for (const node of sim.state.nodes) {
    for (const storage of node.storages) {
      if (!storage.enabled) continue
      out.push({
        id: `storage/${node.name}/${storage.id}`,
        type: 'storage',
        storage: storage.id,
        node: node.name,
        plugintype: storage.type,
        status: node.online ? 'available' : 'unknown',
        shared: storage.shared ? 1 : 0,
        content: [...storage.content].sort().join(','),
        disk: storageUsed(sim.state, node.name, storage),
        maxdisk: storage.total,
      })
    }
  }
  return out
}

function resources(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      type: { type: 'string', enum: ['vm', 'storage', 'node', 'sdn'], optional: true },
    }),
    rc.caller,
  )
  const type = values.type
  const data = [
    ...((type === undefined || type === 'vm') && holds(rc, 'VM.Audit') ? vmEntries(rc.sim) : []),
    ...(type === undefined || type === 'node' ? nodeEntries(rc.sim, holds(rc, 'Sys.Audit')) : []),
    ...((type === undefined || type === 'storage') && holds(rc, 'Datastore.Audit')
      ? storageEntries(rc.sim)
      : []),
  ]
  return { data }
}

function nextid(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({ vmid: { ...vmidSpec, optional: true } }),
    rc.caller,
  )
  const taken = rc.sim.state.vms
  if (values.vmid !== undefined) {
    if (taken.has(Number(values.vmid))) paramError('vmid', `VM ${values.vmid} already exists`)
    return { data: values.vmid }
  }
  for (let id = 100; id < 1_000_000; id++) {
    if (!taken.has(id)) return { data: String(id) }
  }
  return die('unable to get any free VMID in range [100, 1000000]')
}

function clusterStatus(rc: RouteContext) {
  const nodes = rc.sim.state.nodes
  const online = nodes.filter((n) => n.online).length
  return {
    data: [
      {
        type: 'cluster',
        id: 'cluster',
        name: 'pve-sim',
        nodes: nodes.length,
        version: nodes.length + 2,
        quorate: online * 2 > nodes.length ? 1 : 0,
      },
      ...nodes.map((node, index) => ({
        type: 'node',
        id: `node/${node.name}`,
        name: node.name,
        nodeid: index + 1,
        ip: node.ip,
        local: node.name === rc.sim.mainNode ? 1 : 0,
        online: node.online ? 1 : 0,
        level: '',
      })),
    ],
  }
}

function nodesIndex(rc: RouteContext) {
  verifyParams(rc.params, tableLookup({}), rc.caller)
  return {
    data: rc.sim.state.nodes.map((node) => {
      const m = nodeMetrics(rc.sim, node)
      return {
        id: `node/${node.name}`,
        node: node.name,
        type: 'node',
        status: node.online ? 'online' : 'offline',
        ...(node.online
          ? {
              cpu: m.cpu,
              maxcpu: node.cpu.cpus,
              mem: m.memUsed,
              maxmem: node.memoryTotal,
              disk: node.rootfsUsed,
              maxdisk: node.rootfsTotal,
              uptime: m.uptime,
            }
          : {}),
        level: '',
        ssl_fingerprint: m.fingerprint,
      }
    }),
  }
}

function version(rc: RouteContext) {
  verifyParams(rc.params, tableLookup({}), rc.caller)
  const [, release = '', repoid = ''] = nodeSoftware.pveversion.split('/')
  return {
    data: {
      version: release,
      release: release.split('.').slice(0, 2).join('.'),
      repoid: repoid.slice(0, 8),
    },
  }
}

export const clusterRoutes: Route[] = [
  { method: 'GET', pattern: '/version', handler: version },
  { method: 'GET', pattern: '/cluster/resources', handler: resources },
  { method: 'GET', pattern: '/cluster/nextid', handler: nextid },
  {
    method: 'GET',
    pattern: '/cluster/status',
    permission: () => ['/', 'Sys.Audit'],
    handler: clusterStatus,
  },
  { method: 'GET', pattern: '/nodes', handler: nodesIndex },
]
