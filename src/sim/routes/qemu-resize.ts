import { die, paramError } from '../api/errors.js'
import { nodeSpec, tableLookup, verifyParams, vmidSpec } from '../api/params.js'
import type { Route, RouteContext } from '../api/route.js'
import { isRoot } from '../api/route.js'
import { formatDiskSize } from '../format-bytes.js'
import { checkLock, requireVm, withVmLock } from '../operations/vm-lock.js'
import { findVolume } from '../state/volumes.js'
import { timings } from '../timings.js'
import { driveBuses, isCdrom, parseSizeOption, printDrive, readDrive } from '../vm-config/drive.js'
import { pathNode } from './node.js'
import { forkWorker } from './task-start.js'

const diskNames = Object.entries(driveBuses).flatMap(([bus, max]) =>
  Array.from({ length: max + 1 }, (_, i) => `${bus}${i}`),
)
diskNames.push('efidisk0', 'tpmstate0')

const GiB = 1024 ** 3

function extents(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB (${Math.ceil(bytes / (4 * 1024 * 1024))} extents)`
}

function resize(rc: RouteContext) {
  const values = verifyParams(
    rc.params,
    tableLookup({
      node: nodeSpec,
      vmid: vmidSpec,
      disk: { type: 'string', enum: diskNames },
      size: { type: 'string', pattern: /^\+?\d+(\.\d+)?[KMGT]?$/ },
      digest: { type: 'string', optional: true, maxLength: 64 },
      skiplock: { type: 'boolean', optional: true },
    }),
    rc.caller,
    ['disk', 'size'],
  )
  if (values.skiplock === '1' && !isRoot(rc.caller))
    paramError('skiplock', 'Only root may use this option.')
  const node = pathNode(rc)
  const vmid = Number(values.vmid)
  requireVm(rc.sim, node.name, vmid)
  const disk = values.disk ?? ''
  const sizeText = values.size ?? ''
  return forkWorker(rc, 'resize', String(vmid), (task) =>
    withVmLock(
      rc.sim,
      node.name,
      vmid,
      async () => {
        const vm = requireVm(rc.sim, node.name, vmid)
        checkLock(vm, values.skiplock === '1')
        const value = vm.config[disk]
        const drive = value === undefined ? undefined : readDrive(value)
        if (!drive) die(`disk '${disk}' does not exist`)
        if (isCdrom(drive)) die("you can't resize a cdrom")
        const fault = rc.sim.faults.take('resize', vmid)
        const volume = findVolume(rc.sim.state, node.name, drive.file)
        const current = parseSizeOption(drive.options.get('size') ?? '') ?? volume?.size ?? 0
        const amount = parseSizeOption(sizeText.replace(/^\+/, '')) ?? 0
        const target = sizeText.startsWith('+') ? current + amount : amount
        if (target < current) die('shrinking disks is not supported')
        if (target === current) return
        await rc.sim.pacer.wait(timings.resizeMs, task.signal)
        if (fault !== undefined) die(fault)
        const storage = node.storages.find((s) => s.id === volume?.storage)
        if (storage?.type === 'lvmthin') {
          const lv = `pve/${drive.file.slice(storage.id.length + 1)}`
          task.log(
            `  Size of logical volume ${lv} changed from ${extents(current)} to ${extents(target)}.`,
          )
          task.log(`  Logical volume ${lv} successfully resized.`)
        } else if (drive.file.endsWith('.qcow2')) {
          task.log('Image resized.')
        }
        if (volume) volume.size = target
        drive.options.set('size', formatDiskSize(target))
        vm.config[disk] = printDrive(drive)
        rc.sim.changed()
      },
      { print: task.log, signal: task.signal },
    ),
  )
}

export const qemuResizeRoutes: Route[] = [
  {
    method: 'PUT',
    pattern: '/nodes/{node}/qemu/{vmid}/resize',
    permission: (p) => [`/vms/${p.vmid ?? ''}`, 'VM.Config.Disk'],
    handler: resize,
  },
]
