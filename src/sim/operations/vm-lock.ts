import { die } from '../api/errors.js'
import type { SimContext } from '../context.js'
import { vmLockPath } from '../locks/file-locks.js'
import type { SimVm } from '../state/types.js'
import { timings } from '../timings.js'

/** `Configuration file 'nodes/<node>/qemu-server/<id>.conf' does not exist` */
export const configMissing = (node: string, vmid: number): string =>
  `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`

/** The running check's wording for a missing VM (stop, shutdown, reboot). */
export const configNotFound = (node: string, vmid: number): string =>
  `unable to find configuration file for VM ${vmid} on node '${node}'`

/** The VM whose config sits on `node`, or dies with `message` (default: configuration file missing). */
export function requireVm(sim: SimContext, node: string, vmid: number, message?: string): SimVm {
  const vm = sim.state.vms.get(vmid)
  if (vm?.node !== node) die(message ?? configMissing(node, vmid))
  return vm
}

/** `check_lock`: a config `lock` refuses the change unless `skiplock`. */
export function checkLock(vm: SimVm, skiplock: boolean): void {
  const lock = vm.config.lock
  if (lock !== undefined && !skiplock) die(`VM is locked (${lock})`)
}

export interface VmLockOptions {
  /** wait limit at speed 1 (default 10 s) */
  waitMs?: number
  /** `lock_config_shared`: other shared holders may hold it at once (a clone's source) */
  shared?: boolean
  /** where `trying to acquire lock...` goes */
  print?: (line: string) => void
  signal?: AbortSignal
}

/** Runs `fn` holding the VM's config flock, as `lock_config` (or `lock_config_shared`) does. */
export async function withVmLock<T>(
  sim: SimContext,
  node: string,
  vmid: number,
  fn: () => Promise<T>,
  options: VmLockOptions = {},
): Promise<T> {
  const progress = { waited: false }
  const release = await sim.locks.acquire(node, vmLockPath(vmid), {
    timeoutMs: sim.pacer.lockTimeout(options.waitMs ?? timings.configLockWaitMs),
    ...(options.shared === true ? { shared: true } : {}),
    onWait: () => {
      progress.waited = true
      options.print?.('trying to acquire lock...')
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  if (progress.waited) options.print?.(' OK')
  try {
    return await fn()
  } finally {
    release()
  }
}
