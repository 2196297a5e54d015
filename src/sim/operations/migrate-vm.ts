import { missingBridges } from '../network/bridge-check.js'
import type { SimContext } from '../context.js'
import { formatDuration, formatLocalTime, renderBytes } from '../format-bytes.js'
import { vmMetrics } from '../state/metrics.js'
import type { SimNode, SimVm, SimVolume } from '../state/types.js'
import { drives } from '../state/vm-view.js'
import { allocationLines, findVolume, newVolumeName, removalLines } from '../state/volumes.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { timings } from '../timings.js'
import { readDrive } from '../vm-config/drive.js'

export interface MigratePlan {
  vm: SimVm
  source: SimNode
  target: SimNode
  online: boolean
  withLocalDisks: boolean
}

interface LocalDisk {
  key: string
  volume: SimVolume
  cloudinit: boolean
}

/** One migration in progress: its plan, its log and the disks it moves. */
interface Run {
  sim: SimContext
  plan: MigratePlan
  started: number
  disks: LocalDisk[]
  /** where each moved volume ends up on the target */
  moved: Map<SimVolume, string>
  log: (line: string) => void
  wait: (ms: number) => Promise<void>
  /** the simulated copy time of a disk (ms at speed 1), all disks sharing a capped budget */
  copyMs: (disk: LocalDisk) => number
}

const MiB = 1024 * 1024

class MigrationAborted extends Error {}

/** Volumes of the VM on non-shared storages, with the config key that holds each. */
function localDisks(sim: SimContext, vm: SimVm, source: SimNode): LocalDisk[] {
  const entries = [
    ...drives(vm.config).map(({ key, drive }) => ({ key, file: drive.file })),
    ...Object.entries(vm.config)
      .filter(([key]) => /^unused\d+$/.test(key))
      .map(([key, value]) => ({ key, file: readDrive(value)?.file ?? value })),
  ]
  const out: LocalDisk[] = []
  for (const { key, file } of entries) {
    const volume = findVolume(sim.state, source.name, file)
    const storage = source.storages.find((s) => s.id === volume?.storage)
    if (!volume || storage?.shared) continue
    out.push({ key, volume, cloudinit: /vm-\d+-cloudinit/.test(volume.volid) })
  }
  return out.sort((a, b) => a.volume.volid.localeCompare(b.volume.volid))
}

/** The volume ID a disk gets on the target: the same unless that name is taken there. */
function targetVolid(run: Run, disk: LocalDisk): string {
  const { sim, plan } = run
  if (!findVolume(sim.state, plan.target.name, disk.volume.volid)) return disk.volume.volid
  const storage = plan.target.storages.find((s) => s.id === disk.volume.storage)
  if (!storage) return disk.volume.volid
  return newVolumeName(
    sim.state,
    plan.target.name,
    storage,
    plan.vm.vmid,
    'disk',
    disk.volume.format,
  )
}

function abort(run: Run, reason: string): never {
  run.log(`ERROR: ${reason}`)
  run.log('aborting phase 1 - cleanup resources')
  run.log(
    `ERROR: migration aborted (duration ${formatDuration(Date.now() - run.started)}): ${reason}`,
  )
  throw new MigrationAborted('migration aborted')
}

/** Phase 1 checks: the local disks found, and the refusal to live-migrate them without the option. */
function scanVolumes(run: Run, fault: string | undefined): void {
  for (const disk of run.disks) {
    const how = disk.key.startsWith('unused') ? 'referenced by unused disk' : 'attached'
    run.log(`found local disk '${disk.volume.volid}' (${how})`)
  }
  if (run.plan.online && !run.plan.withLocalDisks) {
    const blocking = run.disks.filter((d) => !d.cloudinit)
    for (const disk of blocking) {
      run.log(
        `can't migrate local disk '${disk.volume.volid}': can't live migrate attached local disks without with-local-disks option`,
      )
    }
    if (blocking.length > 0)
      abort(run, "Problem found while scanning volumes - can't migrate VM - check log")
  }
  if (fault === undefined) return
  const ip = run.plan.target.ip
  abort(
    run,
    fault === 'migration aborted'
      ? `command '/usr/bin/ssh -e none -o 'BatchMode=yes' root@${ip} /bin/true' failed: exit code 255`
      : fault,
  )
}

/** Offline: each disk is allocated on the target and copied (`dd`-style progress). */
async function copyOffline(run: Run): Promise<void> {
  if (run.disks.length > 0) run.log('copying local disk images')
  for (const disk of run.disks) {
    const newVolid = targetVolid(run, disk)
    const storage = run.plan.target.storages.find((s) => s.id === disk.volume.storage)
    if (storage)
      for (const line of allocationLines(storage, newVolid, disk.volume.size, disk.volume.format))
        run.log(line)
    const bytes = disk.volume.size
    const ms = run.copyMs(disk)
    for (let step = 1; step <= 4; step++) {
      await run.wait(ms / 4)
      const done = Math.floor((bytes * step) / 4)
      const secs = Math.max(0.1, (ms / 1000) * (step / 4))
      run.log(
        `${done} bytes (${(done / 1e9).toFixed(1)} GB, ${renderBytes(done)}) copied, ${secs.toFixed(1)} s, ${(done / 1e6 / secs).toFixed(0)} MB/s`,
      )
    }
    run.log(`successfully imported '${newVolid}'`)
    run.log(`volume '${disk.volume.volid}' is '${newVolid}' on the target`)
    run.moved.set(disk.volume, newVolid)
  }
}

/** Online, with local disks: drive-mirror each one to the target's NBD export. */
async function mirrorDisks(run: Run, mirrored: LocalDisk[]): Promise<void> {
  const vmid = run.plan.vm.vmid
  run.log('starting storage migration')
  for (const disk of mirrored) {
    run.log(
      `${disk.key}: start migration to nbd:unix:/run/qemu-server/${vmid}_nbd.migrate:exportname=drive-${disk.key}`,
    )
    run.log(`drive mirror is starting for drive-${disk.key}`)
    const ms = run.copyMs(disk)
    const total = disk.volume.size
    for (let step = 0; step <= 10; step++) {
      if (step > 0) await run.wait(ms / 10)
      const done = renderBytes(Math.floor((total * step) / 10))
      const secs = Math.round((ms / 1000) * (step / 10))
      const ready = step === 10 ? ', ready' : ''
      run.log(
        `drive-${disk.key}: transferred ${done} of ${renderBytes(total)} (${(step * 10).toFixed(2)}%) in ${secs}s${ready}`,
      )
    }
  }
  run.log("all 'mirror' jobs are ready")
}

/** Online: the VM starts on the target, local disks are mirrored, then the memory moves. */
async function transferOnline(run: Run): Promise<void> {
  const { vm, target, withLocalDisks } = run.plan
  run.log(`starting VM ${vm.vmid} on remote node '${target.name}'`)
  // the VM starts on the target first: a bridge the target lacks fails that start (the same
  // read_bridge_mtu as `qm start`), and the migration is aborted with the VM still on the source
  const missing = missingBridges(vm, target)
  if (missing[0] !== undefined) throw new Error(`bridge '${missing[0]}' does not exist`)
  const mirrored = withLocalDisks ? run.disks.filter((d) => !d.cloudinit) : []
  for (const disk of run.disks.filter((d) => d.cloudinit))
    run.moved.set(disk.volume, targetVolid(run, disk))
  for (const disk of mirrored) {
    const newVolid = targetVolid(run, disk)
    run.moved.set(disk.volume, newVolid)
    run.log(`volume '${disk.volume.volid}' is '${newVolid}' on the target`)
  }
  await run.wait(timings.migrateSetupMs)
  run.log('start remote tunnel')
  run.log('ssh tunnel ver 1')
  if (mirrored.length > 0) await mirrorDisks(run, mirrored)
  const socket = `unix:/run/qemu-server/${vm.vmid}.migrate`
  run.log(`starting online/live migration on ${socket}`)
  run.log('set migration capabilities')
  run.log('migration downtime limit: 100 ms')
  const maxmem = vmMetrics(vm, Date.now()).maxmem
  run.log(`migration cachesize: ${renderBytes(Math.max(maxmem / 8, 64 * MiB))}`)
  run.log('set migration parameters')
  run.log(`start migrate command to ${socket}`)
  const seconds = Math.max(1, Math.ceil(maxmem / timings.migrateMemoryBytesPerSecond))
  for (let s = 1; s <= seconds; s++) {
    await run.wait(1000)
    const rate = timings.migrateMemoryBytesPerSecond * (0.85 + 0.1 * ((vm.vmid + s) % 3))
    const done = Math.min(maxmem, Math.floor((maxmem * s) / (seconds + 1)))
    run.log(
      `migration active, transferred ${renderBytes(done)} of ${renderBytes(maxmem)} VM-state, ${renderBytes(rate)}/s`,
    )
  }
  run.log(
    `average migration speed: ${renderBytes(maxmem / seconds)}/s - downtime ${40 + (vm.vmid % 50)} ms`,
  )
  run.log('migration status: completed')
  if (mirrored.length > 0) run.log('stopping NBD storage migration server on target.')
}

/** Phase 3: the source volumes go, the config and volumes now belong to the target. */
async function finish(run: Run): Promise<void> {
  const { sim, plan } = run
  const { vm } = plan
  for (const disk of run.disks) {
    const storage = plan.source.storages.find((s) => s.id === disk.volume.storage)
    for (const line of removalLines(storage, disk.volume.volid)) run.log(line)
  }
  await run.wait(timings.migrateFinishMs)
  for (const [volume, newVolid] of run.moved) {
    for (const [key, value] of Object.entries(vm.config)) {
      if (readDrive(value)?.file === volume.volid)
        vm.config[key] = value.replace(volume.volid, newVolid)
    }
    volume.node = plan.target.name
    volume.volid = newVolid
  }
  vm.node = plan.target.name
  if (vm.power === 'running') {
    vm.startedAt = Date.now()
    vm.pid = 1000 + Math.floor(Math.random() * 4_000_000)
  }
  delete vm.config.lock
  sim.changed()
  run.log(`migration finished successfully (duration ${formatDuration(Date.now() - run.started)})`)
}

/**
 * The `qmigrate` worker (pve.md §2.10): every line carries the local time; local disks are
 * copied (offline) or mirrored (online), the memory is moved for a live migration, and at the
 * end the config and the volumes belong to the target node. Fails with `migration aborted`,
 * the reason being in the log.
 */
export async function migrateVm(
  sim: SimContext,
  plan: MigratePlan,
  task: TaskContext,
): Promise<void> {
  const { vm, source } = plan
  const disks = localDisks(sim, vm, source)
  const allocated = disks.reduce((sum, d) => sum + Math.max(d.volume.used, MiB), 0)
  const budgetMs = Math.min(
    (allocated / timings.migrateDiskBytesPerSecond) * 1000,
    timings.migrateDiskMaxMs,
  )
  const run: Run = {
    sim,
    plan,
    started: Date.now(),
    disks,
    moved: new Map(),
    log: (line) => {
      task.log(`${formatLocalTime(Date.now())} ${line}`)
    },
    wait: (ms) => sim.pacer.wait(ms, task.signal),
    copyMs: (disk) =>
      allocated === 0 ? 0 : (Math.max(disk.volume.used, MiB) / allocated) * budgetMs,
  }
  run.log(`starting migration of VM ${vm.vmid} to node '${plan.target.name}' (${plan.target.ip})`)
  vm.config.lock = 'migrate'
  sim.changed()
  try {
    await sim.faults.gate('migrate', vm.vmid, task.signal)
    scanVolumes(run, sim.faults.take('migrate', vm.vmid))
    if (plan.online) await transferOnline(run)
    else await copyOffline(run)
    await finish(run)
  } catch (error) {
    if (vm.config.lock === 'migrate') delete vm.config.lock
    sim.changed()
    if (error instanceof MigrationAborted) throw error
    const reason = error instanceof Error ? error.message : String(error)
    run.log(
      `ERROR: migration aborted (duration ${formatDuration(Date.now() - run.started)}): ${reason}`,
    )
    throw new Error('migration aborted', { cause: error })
  }
}
