import { GIB, parseRequestedSize } from '../../lifecycle/disk-size.js'
import type { InstallDeps } from '../deps.js'
import { installDefaults, type InstallRequest } from '../request.js'

/** CPU, RAM and disk as the install's validation stages would clamp them. */
export function planSizes(
  deps: InstallDeps,
  request: InstallRequest,
): { cpu: number; ramMb: number; diskGb: number } {
  const { maxCpu, maxRamMb, maxDiskGb } = deps.limits
  const cpu = Math.min(Math.max(request.cpu ?? installDefaults.cpu, 1), maxCpu)
  const ramMb = Math.min(
    Math.max(request.ram ?? installDefaults.ramMb, installDefaults.minRamMb),
    maxRamMb ?? Number.MAX_SAFE_INTEGER,
  )
  const bytes = parseRequestedSize(request.disk ?? `${installDefaults.diskGb}G`) ?? 0
  const diskGb = Math.min(
    Math.max(Math.ceil(bytes / GIB), installDefaults.minDiskGb),
    maxDiskGb ?? Number.MAX_SAFE_INTEGER,
  )
  return { cpu, ramMb, diskGb }
}
