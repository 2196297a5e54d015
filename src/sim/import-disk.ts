import { die } from './api/errors.js'
import type { SimContext } from './context.js'
import { formatDiskSize } from './format-bytes.js'
import { imageShipsGuestAgent } from './image-guest-agent.js'
import { readImageInfo } from './image-info.js'
import { allocateVolume } from './operations/disks.js'
import { copyWithProgress } from './operations/copy-progress.js'
import { checkLock, requireVm, withVmLock } from './operations/vm-lock.js'
import { findNode, isFileStorage, removeVolume, requireStorage } from './state/volumes.js'
import { timings } from './timings.js'
import { isDriveKey, printDrive, readDrive } from './vm-config/drive.js'

export interface ImportDiskArgs {
  node: string
  vmid: number
  /** an image file on the node (here: on this machine) */
  source: string
  storage: string
  format?: string
  /** attach as this drive instead of `unusedN` (PVE ≥ 8.3) */
  targetDisk?: string
  onLine: (line: string, stream: 'stdout' | 'stderr') => void
  signal?: AbortSignal
}

/**
 * `qm disk import` (pve.md §2.4): a local CLI operation with no task. Prints the same lines,
 * allocates under the storage lock, copies at the import rate, and attaches the disk as
 * `unusedN` or `targetDisk`. Rejects with PVE's message on failure.
 */
export async function importDisk(
  sim: SimContext,
  args: ImportDiskArgs,
): Promise<{ key: string; volid: string }> {
  const out = (line: string): void => {
    args.onLine(line, 'stdout')
  }
  const node = findNode(sim.state, args.node)
  if (!node) die(`no such cluster node '${args.node}'`)
  const vm = requireVm(sim, node.name, args.vmid)
  checkLock(vm, false)
  if (args.targetDisk !== undefined && !isDriveKey(args.targetDisk))
    die(`invalid target disk '${args.targetDisk}'`)
  let info
  try {
    info = await readImageInfo(args.source)
  } catch {
    return die(`${args.source}: non-existent or non-regular file`)
  }
  const storage = requireStorage(node, args.storage)
  if (!storage.content.includes('images')) die(`storage ${storage.id} does not support vm images`)
  out(`importing disk '${args.source}' to VM ${args.vmid} ...`)
  let format = args.format ?? 'raw'
  if (!isFileStorage(storage) && format !== 'raw') {
    args.onLine(
      `format '${format}' is not supported by the target storage - using 'raw' instead`,
      'stderr',
    )
    format = 'raw'
  }
  const fault = sim.faults.take('import', args.vmid)
  vm.config.lock = 'import'
  sim.changed()
  let volumeId: string | undefined
  try {
    await sim.faults.gate('import', args.vmid, args.signal)
    const volume = await allocateVolume(
      sim,
      node,
      storage,
      {
        vmid: args.vmid,
        kind: 'disk',
        format,
        size: info.virtualSize,
        used: Math.min(info.fileSize, info.virtualSize),
      },
      { print: out, ...(args.signal === undefined ? {} : { signal: args.signal }) },
    )
    volumeId = volume.volid
    const agent = imageShipsGuestAgent(args.source)
    if (agent !== undefined) volume.qemuGuestAgent = agent
    await copyWithProgress({
      pacer: sim.pacer,
      size: info.virtualSize,
      bytesPerSecond: timings.importBytesPerSecond,
      print: out,
      ...(args.signal === undefined ? {} : { signal: args.signal }),
      ...(fault === undefined ? {} : { failWith: fault }),
    })
  } catch (error) {
    if (volumeId !== undefined) {
      removeVolume(sim.state, node.name, volumeId)
    }
    if (vm.config.lock === 'import') delete vm.config.lock
    sim.changed()
    throw error
  }
  const volid = volumeId
  return withVmLock(sim, node.name, args.vmid, () => {
    if (vm.config.lock === 'import') delete vm.config.lock
    let key = args.targetDisk
    let shown = volid
    if (key !== undefined) {
      const old = vm.config[key]
      const value = printDrive({
        file: volid,
        options: new Map([['size', formatDiskSize(info.virtualSize)]]),
      })
      vm.config[key] = value
      shown = value
      const oldFile = old === undefined ? undefined : readDrive(old)?.file
      if (oldFile !== undefined && /^[\w.-]+:/.test(oldFile))
        vm.config[freeUnused(vm.config)] = oldFile
    } else {
      key = freeUnused(vm.config)
      vm.config[key] = volid
    }
    sim.changed()
    out(`${key}: successfully imported disk '${shown}'`)
    return Promise.resolve({ key, volid })
  })
}

function freeUnused(config: Record<string, string>): string {
  for (let i = 0; i <= 255; i++) if (config[`unused${i}`] === undefined) return `unused${i}`
  return die('unable to find free unused disk slot')
}
