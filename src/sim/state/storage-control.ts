import type { SimContext } from '../context.js'
import { removeSnippet, writeSnippet } from './snippets.js'
import { findNode } from './volumes.js'

/** Content types each storage type can hold (pve-storage: DirPlugin, LvmThinPlugin and NFSPlugin `plugindata`). */
const allowedContent: Record<string, readonly string[]> = {
  dir: ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'],
  lvmthin: ['images', 'rootdir'],
  // NFSPlugin `plugindata` (PVE/Storage/NFSPlugin.pm): the same types as a directory
  nfs: ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'],
}

/** What tests do to the simulated storages by hand, as an admin would on the nodes. */
export interface SimStorageControl {
  /**
   * Writes `<storage>:snippets/<name>` on `node` (as an admin creates the file there; PVE has no
   * upload API for snippets), listed by the content routes and saved with the state. The storage
   * must have the `snippets` content type. Returns the volid.
   */
  writeSnippet(node: string, storage: string, name: string, text: string): string
  /** Deletes a snippet file; true when there was one. */
  removeSnippet(node: string, volid: string): boolean
  /** A storage's content types on `node`. */
  content(node: string, storage: string): string[]
  /**
   * Sets a storage's content types on `node` (`pvesm set <storage> --content <list>`, for that
   * node's view), e.g. `local` without `snippets` as on a fresh PVE install. Not saved.
   */
  setContent(node: string, storage: string, content: readonly string[]): void
}

export function createStorageControl(sim: SimContext): SimStorageControl {
  const storageOf = (nodeName: string, storageId: string) => {
    const node = findNode(sim.state, nodeName)
    if (node === undefined) throw new Error(`no simulated node '${nodeName}'`)
    const storage = node.storages.find((entry) => entry.id === storageId)
    if (storage === undefined) throw new Error(`node ${nodeName} has no storage '${storageId}'`)
    return storage
  }
  return {
    writeSnippet: (node, storage, name, text) => writeSnippet(sim, node, storage, name, text),
    removeSnippet: (node, volid) => removeSnippet(sim, node, volid),
    content: (node, storage) => [...storageOf(node, storage).content],
    setContent(node, storageId, content) {
      const storage = storageOf(node, storageId)
      const allowed = allowedContent[storage.type] ?? []
      const bad = content.filter((type) => !allowed.includes(type))
      if (bad.length > 0)
        throw new Error(`${storage.type} storage '${storageId}' cannot hold ${bad.join(', ')}`)
      storage.content = [...new Set(content)].sort()
    },
  }
}
