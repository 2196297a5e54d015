import { die, paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { nodeSoftware } from '../state/nodes.js'
import type { SimNode } from '../state/types.js'
import { findNode, isFileStorage, storageUsed, volumesOn } from '../state/volumes.js'
import { nodeMetrics } from './node-metrics.js'

/** The node a node-bound path names (the router has checked it exists). */
export function pathNode(rc: RouteContext): SimNode {
  const node = findNode(rc.sim.state, rc.path.node ?? '')
  if (!node) return die(`no such cluster node '${rc.path.node ?? ''}'`)
  return node
}

function nodeStatus(rc: RouteContext) {
  verifyParams(rc.params, tableLookup({ node: nodeSpec }), rc.caller)
  const node = pathNode(rc)
  const m = nodeMetrics(rc.sim, node)
  const swapTotal = 8 * 1024 ** 3
  return {
    data: {
      uptime: m.uptime,
      idle: 0,
      loadavg: m.loadavg,
      kversion: `Linux ${nodeSoftware.kernelRelease} ${nodeSoftware.kernelVersion}`,
      'current-kernel': {
        sysname: 'Linux',
        release: nodeSoftware.kernelRelease,
        version: nodeSoftware.kernelVersion,
        machine: 'x86_64',
      },
      'boot-info': { mode: 'efi', secureboot: 0 },
      cpuinfo: {
        model: node.cpu.model,
        sockets: node.cpu.sockets,
        cores: node.cpu.cores,
        cpus: node.cpu.cpus,
        mhz: node.cpu.mhz,
        hvm: '1',
        user_hz: 100,
        flags: node.cpu.flags.join(' '),
      },
      cpu: m.cpu,
      wait: 0.0002,
      memory: {
        total: node.memoryTotal,
        used: m.memUsed,
        free: node.memoryTotal - m.memUsed,
        available: node.memoryTotal - m.memUsed,
      },
      swap: { total: swapTotal, used: 0, free: swapTotal },
      ksm: { shared: 0 },
      rootfs: {
        total: node.rootfsTotal,
        used: node.rootfsUsed,
        free: node.rootfsTotal - node.rootfsUsed,
        avail: node.rootfsTotal - node.rootfsUsed,
      },
      pveversion: nodeSoftware.pveversion,
    },
  }
}

const contentTypes = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import']

function storageIndex(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      content: {
        type: 'string',
        optional: true,
        format: (v) =>
          v.split(',').every((c) => contentTypes.includes(c)) ? undefined : `invalid content type`,
      },
      storage: { type: 'string', optional: true, pattern: /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i },
      enabled: { type: 'boolean', optional: true },
      target: { type: 'string', optional: true },
      format: { type: 'boolean', optional: true },
    }),
    rc.caller,
  )
  const node = pathNode(rc)
  if (values.storage !== undefined && !node.storages.some((s) => s.id === values.storage)) {
    paramError('storage', 'No such storage.')
  }
  const wanted = values.content?.split(',')
  const data = node.storages
    .filter((s) => values.storage === undefined || s.id === values.storage)
    .filter((s) => wanted === undefined || (s.enabled && s.content.some((c) => wanted.includes(c))))
    .filter((s) => values.enabled !== '1' || s.enabled)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((s) => {
      const content = [...s.content].sort().join(',')
      if (!s.enabled)
        return {
          storage: s.id,
          type: s.type,
          content,
          active: 0,
          enabled: 0,
          shared: s.shared ? 1 : 0,
        }
      const used = storageUsed(rc.sim.state, node.name, s)
      return {
        storage: s.id,
        type: s.type,
        content,
        active: 1,
        enabled: 1,
        shared: s.shared ? 1 : 0,
        total: s.total,
        used,
        avail: s.total - used,
        used_fraction: used / s.total,
      }
    })
  return { data }
}

function storageContent(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      storage: { type: 'string' },
      content: { type: 'string', optional: true, enum: contentTypes },
      vmid: { ...vmidSpec, optional: true },
    }),
    rc.caller,
  )
  const node = pathNode(rc)
  const storage = node.storages.find((s) => s.id === values.storage)
  if (!storage) die(`storage '${values.storage ?? ''}' does not exist`)
  if (!storage.enabled) die(`storage '${storage.id}' is disabled`)
  const data = volumesOn(rc.sim.state, node.name, storage.id)
    .filter((v) => values.content === undefined || v.content === values.content)
    .filter((v) => values.vmid === undefined || v.vmid === Number(values.vmid))
    .sort((a, b) => a.volid.localeCompare(b.volid))
    .map((v) => ({
      volid: v.volid,
      content: v.content,
      format: v.format,
      size: v.size,
      ...(isFileStorage(storage) ? { used: v.used } : {}),
      ...(v.vmid === undefined ? {} : { vmid: v.vmid }),
      ctime: v.ctime,
    }))
  return { data }
}

export const nodeRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/nodes/{node}/status',
    permission: (p) => [`/nodes/${p.node ?? ''}`, 'Sys.Audit'],
    handler: nodeStatus,
  },
  { method: 'GET', pattern: '/nodes/{node}/storage', handler: storageIndex },
  {
    method: 'GET',
    pattern: '/nodes/{node}/storage/{storage}/content',
    permission: (p) => [`/storage/${p.storage ?? ''}`, 'Datastore.Audit'],
    handler: storageContent,
  },
]
