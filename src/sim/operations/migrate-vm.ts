import type { SimContext } from '../context.js'
import { formatDuration, formatLocalTime, renderBytes } from '../format-bytes.js'
import { vmMetrics } from '../state/metrics.js'
import type { SimNode, SimVm, SimVolume } from '../state/types.js'
import { allocationLines, findVolume, newVolumeName, removalLines } from '../state/volumes.js'
import type { TaskContext } from '../tasks/task-manager.js'
import { timings } from '../timings.js'
import { drives } from '../state/vm-view.js'
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

const MiB = 1024 * 1024

/** Volumes of the VM on non-shared storages, with the config key that holds each. */
function localDisks(sim: SimContext, vm: SimVm, source: SimNode): LocalDisk[] {
  const out: LocalDisk[] = []
  const entries = [
    ...drives(vm.config).map(({ key, drive }) => ({ key, file: drive.file })),
    ...Object.entries(vm.config)
      .filter(([key]) => /^unused\d+$/.test(key))
      .map(([key, value]) => ({ key, file: readDrive(value)?.file ?? value })),
  ]
  for (const { key, file } of entries) {
    const volume = findVolume(sim.state, source.name, file)
    if (!volume) continue
    const storage = source.storages.find((s) => s.id === volume.storage)
    if (storage?.shared) continue
    out.push({ key, volume, cloudinit: /vm-\d+-cloudinit/.test(volume.volid) })
  }
  return out.sort((a, b) => a.volume.volid.localeCompare(b.volume.volid))
}

class MigrationAborted extends Error {}

/**
 * The `qmigrate` worker (pve.md §2.10): every line carries the local time; local disks are
 * copied (offline) or mirrored (online), the memory is moved for a live migration, and at the
 * end the config and the volumes belong to the target node.
 */
export async function migrateVm(
  sim: SimContext,
  plan: MigratePlan,
  task: TaskContext,
): Promise<void> {
  const { vm, source, target } = plan
  const started = Date.now()
  const log = (line: string): void => {
    task.log(`${formatLocalTime(Date.now())} ${line}`)
  }
  const abort = (reason: string, phase1: boolean): never => {
    log(`ERROR: ${reason}`)
    if (phase1) log('aborting phase 1 - cleanup resources')
    log(`ERROR: migration aborted (duration ${formatDuration(Date.now() - started)}): ${reason}`)
    throw new MigrationAborted('migration aborted')
  }
  const wait = (ms: number): Promise<void> => sim.pacer.wait(ms, task.signal)
  log(`starting migration of VM ${vm.vmid} to node '${target.name}' (${target.ip})`)
  vm.config.lock = 'migrate'
  sim.changed()
  try {
    const fault = sim.faults.take('migrate', vm.vmid)
    const disks = localDisks(sim, vm, source)
    for (const disk of disks) {
      log(
        `found local disk '${disk.volume.volid}' (${disk.key.startsWith('unused') ? 'referenced by unused disk' : 'attached'})`,
      )
    }
    if (plan.online && !plan.withLocalDisks) {
      const blocking = disks.filter((d) => !d.cloudinit)
      for (const disk of blocking) {
        log(
          `can't migrate local disk '${disk.volume.volid}': can't live migrate attached local disks without with-local-disks option`,
        )
      }
      if (blocking.length > 0)
        abort("Problem found while scanning volumes - can't migrate VM - check log", true)
    }
    if (fault !== undefined)
      abort(
        fault === 'migration aborted'
          ? "command '/usr/bin/ssh -e none -o 'BatchMode=yes' root@" +
              target.ip +
              " /bin/true' failed: exit code 255"
          : fault,
        true,
      )
    const moved = new Map<SimVolume, string>()
    const allocated = disks.reduce((sum, d) => sum + Math.max(d.volume.used, MiB), 0)
    const diskBudgetMs = Math.min(
      (allocated / timings.migrateDiskBytesPerSecond) * 1000,
      timings.migrateDiskMaxMs,
    )
    const targetName = (disk: LocalDisk): string => {
      const taken = findVolume(sim.state, target.name, disk.volume.volid)
      if (!taken) return disk.volume.volid
      const storage = target.storages.find((s) => s.id === disk.volume.storage)
      return storage
        ? newVolumeName(sim.state, target.name, storage, vm.vmid, 'disk', disk.volume.format)
        : disk.volume.volid
    }
    const share = (disk: LocalDisk): number =>
      allocated === 0 ? 0 : (Math.max(disk.volume.used, MiB) / allocated) * diskBudgetMs
    if (!plan.online) {
      if (disks.length > 0) log('copying local disk images')
      for (const disk of disks) {
        const newVolid = targetName(disk)
        const storage = target.storages.find((s) => s.id === disk.volume.storage)
        if (storage)
          for (const line of allocationLines(
            storage,
            newVolid,
            disk.volume.size,
            disk.volume.format,
          ))
            log(line)
        const bytes = disk.volume.size
        const ms = share(disk)
        for (let step = 1; step <= 4; step++) {
          await wait(ms / 4)
          const done = Math.floor((bytes * step) / 4)
          const secs = Math.max(0.1, (ms / 1000) * (step / 4))
          log(
            `${done} bytes (${(done / 1e9).toFixed(1)} GB, ${renderBytes(done)}) copied, ${secs.toFixed(1)} s, ${(done / 1e6 / secs).toFixed(0)} MB/s`,
          )
        }
        log(`successfully imported '${newVolid}'`)
        log(`volume '${disk.volume.volid}' is '${newVolid}' on the target`)
        moved.set(disk.volume, newVolid)
      }
    } else {
      log(`starting VM ${vm.vmid} on remote node '${target.name}'`)
      const mirrored = plan.withLocalDisks ? disks.filter((d) => !d.cloudinit) : []
      for (const disk of disks.filter((d) => d.cloudinit)) moved.set(disk.volume, targetName(disk))
      for (const disk of mirrored) {
        const newVolid = targetName(disk)
        moved.set(disk.volume, newVolid)
        log(`volume '${disk.volume.volid}' is '${newVolid}' on the target`)
      }
      await wait(timings.migrateSetupMs)
      log('start remote tunnel')
      log('ssh tunnel ver 1')
      if (mirrored.length > 0) {
        log('starting storage migration')
        for (const disk of mirrored) {
          log(
            `${disk.key}: start migration to nbd:unix:/run/qemu-server/${vm.vmid}_nbd.migrate:exportname=drive-${disk.key}`,
          )
          log(`drive mirror is starting for drive-${disk.key}`)
          const ms = share(disk)
          const total = disk.volume.size
          const totalText = renderBytes(total)
          for (let step = 0; step <= 10; step++) {
            if (step > 0) await wait(ms / 10)
            const done = Math.floor((total * step) / 10)
            const secs = Math.round((ms / 1000) * (step / 10))
            log(
              `drive-${disk.key}: transferred ${renderBytes(done)} of ${totalText} (${(step * 10).toFixed(2)}%) in ${secs}s${step === 10 ? ', ready' : ''}`,
            )
          }
        }
        log("all 'mirror' jobs are ready")
      }
      log(`starting online/live migration on unix:/run/qemu-server/${vm.vmid}.migrate`)
      log('set migration capabilities')
      log('migration downtime limit: 100 ms')
      const maxmem = vmMetrics(vm, Date.now()).maxmem
      log(`migration cachesize: ${renderBytes(Math.max(maxmem / 8, 64 * MiB))}`)
      log('set migration parameters')
      log(`start migrate command to unix:/run/qemu-server/${vm.vmid}.migrate`)
      const seconds = Math.max(1, Math.ceil(maxmem / timings.migrateMemoryBytesPerSecond))
      for (let s = 1; s <= seconds; s++) {
        await wait(1000)
        const rate = timings.migrateMemoryBytesPerSecond * (0.85 + 0.1 * ((vm.vmid + s) % 3))
        const done = Math.min(maxmem, Math.floor((maxmem * s) / (seconds + 1)))
        log(
          `migration active, transferred ${renderBytes(done)} of ${renderBytes(maxmem)} VM-state, ${renderBytes(rate)}/s`,
        )
      }
      log(
        `average migration speed: ${renderBytes(maxmem / seconds)}/s - downtime ${40 + (vm.vmid % 50)} ms`,
      )
      log('migration status: completed')
      if (mirrored.length > 0) log('stopping NBD storage migration server on target.')
    }
    for (const disk of disks) {
      const sourceStorage = source.storages.find((s) => s.id === disk.volume.storage)
      for (const line of removalLines(sourceStorage, disk.volume.volid)) log(line)
    }
    await wait(timings.migrateFinishMs)
    for (const [volume, newVolid] of moved) {
      for (const [key, value] of Object.entries(vm.config)) {
        if (readDrive(value)?.file === volume.volid)
          vm.config[key] = value.replace(volume.volid, newVolid)
      }
      volume.node = target.name
      volume.volid = newVolid
    }
    vm.node = target.name
    if (vm.power === 'running') {
      vm.startedAt = Date.now()
      vm.pid = 1000 + Math.floor(Math.random() * 4_000_000)
    }
    delete vm.config.lock
    sim.changed()
    log(`migration finished successfully (duration ${formatDuration(Date.now() - started)})`)
  } catch (error) {
    if (vm.config.lock === 'migrate') delete vm.config.lock
    sim.changed()
    if (error instanceof MigrationAborted) throw error
    log(
      `ERROR: migration aborted (duration ${formatDuration(Date.now() - started)}): ${error instanceof Error ? error.message : String(error)}`,
    )
    throw new Error('migration aborted', { cause: error })
  }
}
