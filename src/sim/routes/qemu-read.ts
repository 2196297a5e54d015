import { createHash } from 'node:crypto'
import { die } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { requireVm } from '../operations/vm-lock.js'
import { vmMetrics } from '../state/metrics.js'
import { nodeSoftware } from '../state/nodes.js'
import type { SimVm } from '../state/types.js'
import { effectiveConfig } from '../state/vm-view.js'
import { configValueToJson } from '../vm-config/schema.js'

/** The config file's text, for the digest. */
export function configDigest(vm: SimVm): string {
  const lines = Object.entries(vm.config).map(([k, v]) => `${k}: ${v}`)
  const pending = Object.entries(vm.pending).map(([k, v]) => `${k}: ${v}`)
  if (pending.length > 0 || vm.pendingDelete.length > 0) {
    lines.push(
      '',
      '[PENDING]',
      ...pending,
      ...(vm.pendingDelete.length > 0 ? [`delete: ${vm.pendingDelete.join(',')}`] : []),
    )
  }
  return createHash('sha1')
    .update(`${lines.join('\n')}\n`)
    .digest('hex')
}

/** A config as the API shows it: JSON types per key, `cipassword` masked. */
export function presentConfig(config: Record<string, string>): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const [key, value] of Object.entries(config)) {
    out[key] = key === 'cipassword' ? '**********' : configValueToJson(key, value)
  }
  return out
}

const vmPathParams = { node: nodeSpec, vmid: vmidSpec }

function vmid(rc: RouteContext): number {
  return Number(rc.path.vmid)
}

function getConfig(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      ...vmPathParams,
      current: { type: 'boolean', optional: true },
      snapshot: { type: 'string', optional: true },
    }),
    rc.caller,
  )
  const vm = requireVm(rc.sim, rc.path.node ?? '', vmid(rc))
  if (values.snapshot !== undefined) die(`snapshot '${values.snapshot}' does not exist`)
  const config = values.current === '1' ? vm.config : effectiveConfig(vm)
  return { data: { ...presentConfig(config), digest: configDigest(vm) } }
}

function getPending(rc: RouteContext) {
  verifyParams(rc.params, tableLookup(vmPathParams), rc.caller)
  const vm = requireVm(rc.sim, rc.path.node ?? '', vmid(rc))
  const keys = [
    ...new Set([...Object.keys(vm.config), ...Object.keys(vm.pending), ...vm.pendingDelete]),
  ].sort()
  const show = (key: string, value: string): string | number =>
    key === 'cipassword' ? '**********' : configValueToJson(key, value)
  const data = keys.map((key) => {
    const current = vm.config[key]
    const pending = vm.pending[key]
    return {
      key,
      ...(current === undefined ? {} : { value: show(key, current) }),
      ...(pending === undefined ? {} : { pending: show(key, pending) }),
      ...(vm.pendingDelete.includes(key) ? { delete: 1 } : {}),
    }
  })
  return { data }
}

/** `vmstatus` of one VM: the fields of pve.md §1.9. */
export function vmStatusData(vm: SimVm, full: boolean): Record<string, unknown> {
  const m = vmMetrics(vm, Date.now())
  const running = vm.power === 'running'
  const config = vm.config
  const agent = config.agent !== undefined && /^(1|enabled=1)/.test(config.agent)
  return {
    vmid: vm.vmid,
    name: config.name ?? `VM ${vm.vmid}`,
    status: m.status,
    qmpstatus: m.status,
    cpus: m.cpus,
    cpu: m.cpu,
    maxmem: m.maxmem,
    mem: m.mem,
    memhost: m.mem,
    maxdisk: m.maxdisk,
    disk: 0,
    netin: m.netin,
    netout: m.netout,
    diskread: m.diskread,
    diskwrite: m.diskwrite,
    uptime: m.uptime,
    ...(running && vm.pid !== undefined ? { pid: vm.pid } : {}),
    ...(full ? { ha: { managed: 0 } } : {}),
    ...(agent ? { agent: 1 } : {}),
    ...(config.serial0 !== undefined ? { serial: 1 } : {}),
    ...(config.template === '1' ? { template: 1 } : {}),
    ...(config.lock === undefined ? {} : { lock: config.lock }),
    ...(config.tags === undefined ? {} : { tags: config.tags }),
    ...(full && running
      ? {
          balloon: m.maxmem,
          freemem: m.maxmem - m.mem,
          'running-machine': nodeSoftware.machine,
          'running-qemu': nodeSoftware.qemuVersion,
        }
      : {}),
  }
}

function statusCurrent(rc: RouteContext) {
  verifyParams(rc.params, tableLookup(vmPathParams), rc.caller)
  const vm = requireVm(rc.sim, rc.path.node ?? '', vmid(rc))
  return { data: vmStatusData(vm, true) }
}

function listVms(rc: RouteContext) {
  verifyParams(
    rc.params,
    tableLookup({ node: nodeSpec, full: { type: 'boolean', optional: true } }),
    rc.caller,
  )
  const data = [...rc.sim.state.vms.values()]
    .filter((vm) => vm.node === rc.path.node)
    .sort((a, b) => a.vmid - b.vmid)
    .map((vm) => vmStatusData(vm, false))
  return { data }
}

const audit = (p: Readonly<Record<string, string>>): [string, string] => [
  `/vms/${p.vmid ?? ''}`,
  'VM.Audit',
]

export const qemuReadRoutes: Route[] = [
  { method: 'GET', pattern: '/nodes/{node}/qemu', handler: listVms },
  {
    method: 'GET',
    pattern: '/nodes/{node}/qemu/{vmid}/config',
    permission: audit,
    handler: getConfig,
  },
  {
    method: 'GET',
    pattern: '/nodes/{node}/qemu/{vmid}/pending',
    permission: audit,
    handler: getPending,
  },
  {
    method: 'GET',
    pattern: '/nodes/{node}/qemu/{vmid}/status/current',
    permission: audit,
    handler: statusCurrent,
  },
]
