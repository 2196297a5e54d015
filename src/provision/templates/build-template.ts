import { describeError } from '../../errors.js'
import type { Cluster, VmConfigChanges } from '../../pve/cluster.js'
import type { WorkQueue } from '../install/work-queue.js'
import { isFileStorage, templateName, templateTags } from './template-identity.js'
import { TemplateError } from './errors.js'
import type { EnsureTemplateRequest } from './template-service.js'

export interface BuildTemplateDeps {
  cluster: Cluster
  storageQueue: WorkQueue
}

/**
 * Builds a template from a verified image: `qm create` with the hardware profile every install
 * shares and the image imported as `scsi0` (qcow2 on file storages, which link-clone only as
 * overlays), moved to its node when the image is elsewhere (a path exists only on the main
 * node), then `qm template` (disks renamed `base-*`, pve.md §10.9). A failure destroys what was
 * made: a failed build leaves nothing behind.
 */
export async function buildTemplate(
  deps: BuildTemplateDeps,
  vmid: number,
  request: EnsureTemplateRequest,
  onLine: (line: string) => void,
): Promise<void> {
  const { cluster } = deps
  const { scope } = request
  const what = `template ${vmid} (${request.release.os} ${request.release.version})`
  let where: string | undefined
  try {
    onLine(`building ${what} on ${scope.node}/${scope.storage} from the verified image`)
    const leave = await deps.storageQueue.enter(`${request.imageNode}/${scope.storage}`, {})
    try {
      await cluster.createVm(request.imageNode, vmid, templateConfig(request), { onLine })
    } finally {
      leave()
    }
    where = request.imageNode
    if (where !== scope.node) {
      onLine(`moving ${what} to ${scope.node}: linked clones on local storage stay on its node`)
      await cluster.migrateVm(where, vmid, scope.node, {
        online: false,
        withLocalDisks: true,
        onLine,
      })
      where = scope.node
    }
    await cluster.templateVm(where, vmid, { onLine })
  } catch (error) {
    const cleanup =
      where === undefined ? 'nothing was left' : await removeHalfBuilt(cluster, where, vmid)
    throw new TemplateError(
      'TEMPLATE_BUILD_FAILED',
      `building ${what} failed: ${describeError(error)}; ${cleanup}`,
      { cause: error },
    )
  }
}

/** The template's config: the hardware every install shares, the image imported as `scsi0`. */
export function templateConfig(request: EnsureTemplateRequest): VmConfigChanges {
  const { storage, type } = request.scope
  const format = isFileStorage(type) ? ',format=qcow2' : ''
  return {
    name: templateName(request),
    tags: templateTags(request),
    ostype: 'l26',
    cores: '1',
    memory: '1024',
    agent: 'enabled=1',
    scsihw: 'virtio-scsi-pci',
    net0: 'virtio,bridge=vmbr0',
    serial0: 'socket',
    vga: 'serial0',
    scsi1: `${storage}:cloudinit`,
    scsi0: `${storage}:0,import-from=${request.imageSource},discard=on,ssd=1${format}`,
    boot: 'order=scsi0',
  }
}

async function removeHalfBuilt(cluster: Cluster, node: string, vmid: number): Promise<string> {
  try {
    await cluster.destroyVm(node, vmid)
    return `VM ${vmid} removed`
  } catch (error) {
    return `VM ${vmid} could not be removed: ${describeError(error)}`
  }
}
