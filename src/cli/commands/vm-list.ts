import type { VmListReply } from '../../http/schemas/vm.js'
import type { ApiClient } from '../api/client.js'
import { readFields, type JsonFields } from '../api/read-json.js'

/**
 * A listed VM; `protected` when the service will never stop, change or destroy it; `pending`
 * the configuration values waiting for its next restart (key → new value).
 */
export type ListedVm = VmListReply['vms'][number] & {
  protected?: boolean
  pending?: Record<string, string>
}
export type ListedNode = VmListReply['nodes'][number]

/** `GET /api/vm/list`, read field by field. */
export async function fetchVmList(
  client: ApiClient,
  signal: AbortSignal,
): Promise<{ success: boolean; vms: ListedVm[]; nodes: ListedNode[] }> {
  const reply = readFields(await client.getJson('/api/vm/list', { signal }), 'VM list')
  const vms = reply.array('vms').map((entry): ListedVm => {
    const vm = readFields(entry, 'VM')
    return {
      vmid: vm.number('vmid'),
      name: vm.string('name'),
      os: vm.string('os'),
      running: vm.boolean('running'),
      node: vm.string('node'),
      cpu: vm.number('cpu'),
      disk: vm.number('disk'),
      memory: vm.number('memory'),
      memory_used: vm.number('memory_used'),
      ...(vm.optionalBoolean('protected') === true ? { protected: true } : {}),
      ...optionalMarks(vm),
    }
  })
  const nodes = reply.array('nodes').map((entry): ListedNode => {
    const node = readFields(entry, 'node')
    return {
      node: node.string('node'),
      max_cpu: node.number('max_cpu'),
      max_memory: node.number('max_memory'),
      cpu: node.number('cpu'),
      memory: node.number('memory'),
      memory_used: node.number('memory_used'),
      disk: node.number('disk'),
      running: node.boolean('running'),
    }
  })
  return { success: reply.boolean('success'), vms, nodes }
}

/** What the list adds to the original entry: addresses and network, install in progress,
 * pending changes. */
function optionalMarks(
  vm: JsonFields,
): Pick<ListedVm, 'ip' | 'addresses' | 'network' | 'installing' | 'pending'> {
  const ip = vm.optionalString('ip')
  const network = vm.optionalString('network')
  const addresses = vm.has('addresses')
    ? vm.array('addresses').filter((entry): entry is string => typeof entry === 'string')
    : undefined
  const installing = vm.has('installing') ? vm.object('installing') : undefined
  const pending = vm.has('pending') ? vm.object('pending') : undefined
  const values =
    pending === undefined
      ? []
      : pending.keys().map((key): [string, string] => [key, pending.optionalString(key) ?? ''])
  return {
    ...(ip === undefined ? {} : { ip }),
    ...(addresses === undefined ? {} : { addresses }),
    ...(network === undefined ? {} : { network }),
    ...(installing === undefined
      ? {}
      : { installing: { job_id: installing.string('job_id'), stage: installing.string('stage') } }),
    ...(values.length === 0 ? {} : { pending: Object.fromEntries(values) }),
  }
}
