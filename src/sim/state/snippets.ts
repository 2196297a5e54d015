import type { SimContext } from '../context.js'
import { cicustomFormat } from '../vm-config/schema.js'
import { parsePropertyString } from '../vm-config/property-string.js'
import type { SimNode, SimVm, SimVolume } from './types.js'
import { addVolume, findNode, findVolume, removeVolume } from './volumes.js'

/** `cicustom`'s keys in the order qemu-server reads their files (PVE/QemuServer/Cloudinit.pm
 * `get_custom_cloudinit_files`): the first bad one is the one a start reports. */
const readOrder = ['network', 'user', 'meta', 'vendor'] as const

/** The volids a VM's `cicustom` names, keyed `network`, `user`, `meta`, `vendor`. */
export function cicustomVolids(config: Record<string, string>): Map<string, string> {
  const text = config.cicustom
  if (text === undefined || text === '') return new Map<string, string>()
  const parsed = parsePropertyString('cicustom', text, cicustomFormat)
  return parsed.ok ? parsed.values : new Map<string, string>()
}

/**
 * What building the cloud-init ISO reads of `cicustom` on the node the VM starts on, as
 * qemu-server's `read_cloudinit_snippets_file` does: the volume's type must be `snippets`
 * (`<volid> is not in the snippets directory`), and the file must exist there
 * (pve-storage PVE/Storage.pm `abs_filesystem_path`: `can't find file '<volid>'`). An unknown
 * storage dies in `parse_volname` first (`storage 'x' does not exist`). Throws the task error.
 */
export function checkCicustom(sim: SimContext, vm: SimVm, node: SimNode): void {
  const volids = cicustomVolids(vm.config)
  for (const key of readOrder) {
    const volid = volids.get(key)
    if (volid === undefined || volid === '') continue
    const colon = volid.indexOf(':')
    const storageId = colon < 0 ? '' : volid.slice(0, colon)
    const storage = node.storages.find((entry) => entry.id === storageId)
    if (storage === undefined) throw new Error(`storage '${storageId}' does not exist`)
    const volname = volid.slice(colon + 1)
    // an LVM-thin pool has no directories: its parse_volname knows no snippets path
    if (storage.type === 'lvmthin' && volname.startsWith('snippets/'))
      throw new Error(`unable to parse lvm volume name '${volname}'`)
    if (!/^snippets\/[^/]+$/.test(volname))
      throw new Error(`${volid} is not in the snippets directory`)
    if (findSnippet(sim, node.name, volid) === undefined)
      throw new Error(`can't find file '${volid}'`)
  }
}

/** The snippet volume `volid` on `node`, or undefined. */
export function findSnippet(sim: SimContext, node: string, volid: string): SimVolume | undefined {
  const volume = findVolume(sim.state, node, volid)
  return volume?.content === 'snippets' ? volume : undefined
}

/**
 * Puts a file into a storage's `snippets` directory, as an admin does on the node (PVE has no
 * upload API for snippets): `<storage>:snippets/<name>`, replacing one of that name. A storage
 * without the `snippets` content type, a disabled or unknown one, or a bad name is the test
 * author's mistake: a plain Error. Returns the volid.
 */
export function writeSnippet(
  sim: SimContext,
  nodeName: string,
  storageId: string,
  name: string,
  text: string,
): string {
  const node = findNode(sim.state, nodeName)
  if (node === undefined) throw new Error(`no simulated node '${nodeName}'`)
  const storage = node.storages.find((entry) => entry.id === storageId)
  if (storage === undefined) throw new Error(`node ${nodeName} has no storage '${storageId}'`)
  if (!storage.content.includes('snippets'))
    throw new Error(
      `storage '${storageId}' on ${nodeName} has no snippets content type (content ${storage.content.join(',')})`,
    )
  if (!storage.enabled) throw new Error(`storage '${storageId}' on ${nodeName} is disabled`)
  if (!/^[^/\s,]+$/.test(name) || name === '.' || name === '..')
    throw new Error(`'${name}' is no snippet file name`)
  const volid = `${storageId}:snippets/${name}`
  removeVolume(sim.state, nodeName, volid)
  const size = Buffer.byteLength(text)
  addVolume(sim.state, {
    volid,
    node: nodeName,
    storage: storageId,
    content: 'snippets',
    // pve-storage PVE/Storage/Plugin.pm `list_volumes`: snippets are listed as format `snippet`
    format: 'snippet',
    size,
    used: size,
    text,
    ctime: Math.floor(Date.now() / 1000),
  })
  sim.changed()
  return volid
}

/** Removes a snippet file; true when there was one. */
export function removeSnippet(sim: SimContext, nodeName: string, volid: string): boolean {
  if (findSnippet(sim, nodeName, volid) === undefined) return false
  removeVolume(sim.state, nodeName, volid)
  sim.changed()
  return true
}
