import type { SimContext } from '../context.js'
import type { SimVm } from '../state/types.js'
import { removalLines, removeVolume } from '../state/volumes.js'
import { readDrive } from '../vm-config/drive.js'

/** Frees the volume a drive value refers to (if the VM's node holds it), printing the storage's line. */
export function freeVolumeOf(
  sim: SimContext,
  vm: SimVm,
  value: string | undefined,
  print: (line: string) => void,
): void {
  if (value === undefined) return
  const file = readDrive(value)?.file
  if (file === undefined) return
  freeVolid(sim, vm.node, file, print)
}

/** Frees one volume on `node`. */
export function freeVolid(
  sim: SimContext,
  node: string,
  volid: string,
  print: (line: string) => void,
): void {
  const removed = removeVolume(sim.state, node, volid)
  if (!removed) return
  const storage = sim.state.nodes
    .find((n) => n.name === node)
    ?.storages.find((s) => s.id === removed.storage)
  for (const line of removalLines(storage, volid)) print(line)
  sim.changed()
}
