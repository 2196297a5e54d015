import { die, paramError } from '../api/errors.js'
import type { SimContext } from '../context.js'
import type { SimNode, SimVm } from '../state/types.js'
import { effectiveConfig } from '../state/vm-view.js'
import { isDriveKey, isUnusedKey, readDrive } from '../vm-config/drive.js'
import { configDigest } from '../routes/qemu-read.js'
import { checkBalloon, checkConfigConsistency } from './config-checks.js'
import { hotplugProblem, hotplugsLive } from './hotplug.js'
import { createDisk } from './disks.js'
import type { DiskRequest } from './disks.js'
import { freeVolumeOf } from './volume-release.js'
import { checkLock, requireVm } from './vm-lock.js'

/** Keys a running VM takes at once: qemu-server's `$fast_plug_option` (cloud-init keys included,
 * they only matter at the next ISO build), plus NIC hot-plug. */
const fastPlug = new Set([
  'description',
  'hookscript',
  'lock',
  'migrate_downtime',
  'migrate_speed',
  'name',
  'onboot',
  'protection',
  'shares',
  'startup',
  'tags',
  'vmstatestorage',
  'cicustom',
  'cipassword',
  'citype',
  'ciupgrade',
  'ciuser',
  'nameserver',
  'searchdomain',
  'sshkeys',
])

function appliesLive(key: string): boolean {
  return fastPlug.has(key) || /^(net|ipconfig)\d+$/.test(key)
}

export interface UpdatePlan {
  /** checked, normalized values to set */
  set: Record<string, string>
  /** planned disk work for drive keys in `set` */
  disks: Map<string, DiskRequest>
  deletes: string[]
  revert: string[]
  digest?: string
  skiplock: boolean
  /** `update VM <id>: -key value ...` as printed */
  logLine: string
}

export interface UpdateOutput {
  print: (line: string) => void
  /** stderr lines (Perl `warn`) */
  warn: (line: string) => void
  signal?: AbortSignal
}

/** A removed device leaves the boot order with it. */
function dropFromBootOrder(config: Record<string, string>, removed: readonly string[]): void {
  const boot = config.boot
  const order = boot === undefined ? undefined : /(?:^|,)order=([^,]*)/.exec(boot)?.[1]
  if (boot === undefined || order === undefined) return
  const kept = order.split(';').filter((device) => device !== '' && !removed.includes(device))
  config.boot = boot.replace(`order=${order}`, `order=${kept.join(';')}`)
}

/** The first free `unusedN` key. */
function freeUnusedKey(vm: SimVm): string {
  for (let i = 0; i <= 255; i++) {
    const key = `unused${i}`
    if (vm.config[key] === undefined && vm.pending[key] === undefined) return key
  }
  return die('unable to find free unused disk slot')
}

/** A drive that is replaced or removed: cloud-init volumes are freed, disks become `unusedN`. */
function detachDrive(
  sim: SimContext,
  vm: SimVm,
  value: string | undefined,
  print: (line: string) => void,
): void {
  if (value === undefined) return
  const drive = readDrive(value)
  if (!drive || !/^[\w.-]+:/.test(drive.file) || drive.options.get('media') === 'cdrom') {
    if (drive && /vm-\d+-cloudinit/.test(drive.file)) freeVolumeOf(sim, vm, value, print)
    return
  }
  if (/vm-\d+-cloudinit/.test(drive.file)) {
    freeVolumeOf(sim, vm, value, print)
    return
  }
  vm.config[freeUnusedKey(vm)] = drive.file
}

/**
 * `update_vm_api`: under the config flock, checks digest and lock, prints the `update VM` line,
 * deletes, reverts and sets keys; for a running VM, what cannot be hot-plugged goes to
 * `[PENDING]` (pve.md §2.3).
 */
export async function updateVm(
  sim: SimContext,
  node: SimNode,
  vmid: number,
  plan: UpdatePlan,
  out: UpdateOutput,
): Promise<void> {
  const vm = requireVm(sim, node.name, vmid)
  if (plan.digest !== undefined && plan.digest !== configDigest(vm))
    die('checksum mismatch (file change by other user?)')
  checkLock(vm, plan.skiplock)
  checkBalloon(plan.set, vm.pending, vm.config)
  out.print(plan.logLine)
  const projected = effectiveConfig(vm)
  for (const key of plan.deletes) Reflect.deleteProperty(projected, key)
  dropFromBootOrder(projected, plan.deletes)
  Object.assign(projected, plan.set)
  checkConfigConsistency(projected)
  const fault = sim.faults.take('config', vmid)
  if (fault !== undefined) die(fault)
  const running = vm.power === 'running'
  for (const key of plan.deletes) {
    if (effectiveConfig(vm)[key] === undefined) {
      out.warn(`cannot delete '${key}' - not set in current configuration!`)
      continue
    }
    if (running && !appliesLive(key)) {
      Reflect.deleteProperty(vm.pending, key)
      if (vm.config[key] !== undefined && !vm.pendingDelete.includes(key))
        vm.pendingDelete.push(key)
      continue
    }
    const old = vm.pending[key] ?? vm.config[key]
    Reflect.deleteProperty(vm.pending, key)
    Reflect.deleteProperty(vm.config, key)
    if (isUnusedKey(key)) freeVolumeOf(sim, vm, old, out.print)
    else if (isDriveKey(key)) detachDrive(sim, vm, old, out.print)
  }
  dropFromBootOrder(
    vm.config,
    plan.deletes.filter((key) => vm.config[key] === undefined),
  )
  for (const key of plan.revert) {
    Reflect.deleteProperty(vm.pending, key)
    vm.pendingDelete = vm.pendingDelete.filter((k) => k !== key)
  }
  let cloudinitMade = false
  const problems: [string, string][] = []
  for (const [key, requested] of Object.entries(plan.set)) {
    let value = requested
    const disk = plan.disks.get(key)
    if (disk && disk.kind !== 'keep') {
      const result = await createDisk(sim, node, vmid, disk, {
        print: out.print,
        ...(out.signal === undefined ? {} : { signal: out.signal }),
      })
      value = result.value
      if (disk.kind === 'cloudinit') cloudinitMade = true
    }
    vm.pendingDelete = vm.pendingDelete.filter((k) => k !== key)
    const exists = vm.config[key] !== undefined
    if (running && (isDriveKey(key) ? exists : !appliesLive(key))) {
      // what qemu-server can hot-plug applies now; the rest waits for the next cold start
      if (isDriveKey(key) || !hotplugsLive(vm, key, value)) {
        vm.pending[key] = value
        const problem = hotplugProblem(vm, key)
        if (problem !== undefined) problems.push([key, problem])
        continue
      }
    }
    const old = vm.config[key]
    vm.config[key] = value
    Reflect.deleteProperty(vm.pending, key)
    if (isDriveKey(key) && old !== undefined && readDrive(old)?.file !== readDrive(value)?.file)
      detachDrive(sim, vm, old, out.print)
  }
  if (cloudinitMade) out.print('generating cloud-init ISO')
  sim.changed()
  // vmconfig_hotplug_pending: a failed hot-plug keeps the value pending and answers 400
  const [problem] = problems
  if (problem !== undefined) paramError(problem[0], `hotplug problem - ${problem[1]}`)
}
