import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../errors.js'
import type { ClusterState, SimVm, SimVolume } from './types.js'
import { isSharedStorage } from './volumes.js'

/** The file the state lives in, inside `dataDir`. */
export const stateFileName = 'sim-state.json'

interface SavedState {
  version: 1
  savedAt: number
  nodes: { name: string; bootTime: number }[]
  volumes: SimVolume[]
  vms: SimVm[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isSavedState(value: unknown): value is SavedState {
  return (
    isRecord(value) &&
    value.version === 1 &&
    Array.isArray(value.nodes) &&
    Array.isArray(value.volumes) &&
    Array.isArray(value.vms) &&
    value.vms.every(
      (vm) =>
        isRecord(vm) &&
        typeof vm.vmid === 'number' &&
        typeof vm.node === 'string' &&
        isRecord(vm.config),
    )
  )
}

/**
 * Reads a saved state into `state` (whose nodes are already built from the options). Returns
 * false when there is no file. VMs and volumes on nodes that are no longer members are dropped
 * (a shared storage's volumes stay).
 * A VM caught mid-operation is settled: `lock: create` is rolled back (VM and its volumes
 * removed, as a failed create cleans up), `lock: destroyed` is finished (removed), `lock:
 * migrate` is cleared with the VM still on its source node (volumes move only when a migration
 * completes), `lock: import` (a disk import cut short) is cleared, its partial volume left
 * unreferenced as a real failed import leaves it. Running VMs keep running with their saved
 * start time.
 */
export async function loadState(dataDir: string, state: ClusterState): Promise<boolean> {
  let text: string
  try {
    text = await readFile(join(dataDir, stateFileName), 'utf8')
  } catch (error) {
    if (isRecord(error) && error.code === 'ENOENT') return false
    throw new AppError('SIM_STATE_UNREADABLE', `cannot read ${join(dataDir, stateFileName)}`, {
      cause: error,
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new AppError('SIM_STATE_INVALID', `${join(dataDir, stateFileName)} is not valid JSON`, {
      cause: error,
    })
  }
  if (!isSavedState(parsed)) {
    throw new AppError(
      'SIM_STATE_INVALID',
      `${join(dataDir, stateFileName)} does not hold a simulator state`,
    )
  }
  const members = new Set(state.nodes.map((n) => n.name))
  for (const saved of parsed.nodes) {
    const node = state.nodes.find((n) => n.name === saved.name)
    if (node && typeof saved.bootTime === 'number') node.bootTime = saved.bootTime
  }
  const dropped = new Set<number>()
  for (const vm of parsed.vms) {
    if (!members.has(vm.node)) continue
    const lock = vm.config.lock
    if (lock === 'create' || lock === 'destroyed') {
      dropped.add(vm.vmid)
      continue
    }
    if (lock === 'migrate' || lock === 'import') delete vm.config.lock
    state.vms.set(vm.vmid, {
      vmid: vm.vmid,
      node: vm.node,
      config: vm.config,
      pending: isRecord(vm.pending) ? vm.pending : {},
      pendingDelete: Array.isArray(vm.pendingDelete) ? vm.pendingDelete : [],
      power: vm.power === 'running' ? 'running' : 'stopped',
      ...(vm.power === 'running' && typeof vm.startedAt === 'number'
        ? { startedAt: vm.startedAt }
        : {}),
      ...(vm.power === 'running' && typeof vm.pid === 'number' ? { pid: vm.pid } : {}),
    })
  }
  for (const volume of parsed.volumes) {
    // a shared storage's volumes belong to no one node: kept while the storage is configured
    if (!members.has(volume.node) && !isSharedStorage(state, volume.storage)) continue
    if (volume.vmid !== undefined && dropped.has(volume.vmid) && volume.content === 'images')
      continue
    state.volumes.push(volume)
  }
  return true
}

/**
 * Writes the state atomically: `sim-state.json.tmp`, then rename. The file holds the VMs'
 * cloud-init password hashes, so it is readable by its owner only, like the job store.
 */
export async function saveState(dataDir: string, state: ClusterState): Promise<void> {
  const saved: SavedState = {
    version: 1,
    savedAt: Date.now(),
    nodes: state.nodes.map((n) => ({ name: n.name, bootTime: n.bootTime })),
    volumes: state.volumes,
    vms: [...state.vms.values()],
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, stateFileName)
  await writeFile(`${file}.tmp`, `${JSON.stringify(saved, null, 1)}\n`, { mode: 0o600 })
  // a temporary file left by an earlier run keeps its mode through writeFile
  await chmod(`${file}.tmp`, 0o600)
  await rename(`${file}.tmp`, file)
}
