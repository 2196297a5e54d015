import type { Cluster, NodeStorage, VmSummary } from '../../pve/cluster.js'
import { readTemplateTags } from './template-identity.js'
import type { TemplateRecord } from './template-service.js'

/**
 * A template found in the cluster (made by an earlier run): its identity from its tags, its
 * storage from its boot disk's volume ID, that storage's type and sharing as its node lists it
 * (`GET /nodes/{node}/storage`: /cluster/resources shows storages only to Datastore.Audit,
 * which the service's role does not hold). Undefined when it is not one of ours.
 */
export async function readTemplateRecord(
  cluster: Pick<Cluster, 'vmConfig'>,
  vm: VmSummary,
  storagesOf: (node: string) => Promise<readonly NodeStorage[]>,
): Promise<TemplateRecord | undefined> {
  const identity = readTemplateTags(vm.tags ?? [])
  if (identity === undefined) return undefined
  const config = await cluster.vmConfig(vm.node, vm.vmid)
  const storage = /^([\w.-]+):/.exec(config.scsi0 ?? '')?.[1]
  if (storage === undefined) return undefined
  const summary = (await storagesOf(vm.node)).find((entry) => entry.storage === storage)
  return {
    vmid: vm.vmid,
    node: vm.node,
    storage,
    type: summary?.type ?? 'unknown',
    shared: summary?.shared ?? false,
    release: identity.release,
    sha: identity.shaPrefix,
    builtAt: 0,
  }
}
