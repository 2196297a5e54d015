import { VmStateError } from '../errors.js'
import { beginStep } from '../progress.js'
import type { LifecycleDeps, PlannedOperation } from './deps.js'
import type { LocatedVm } from './vm-locator.js'

/** `running` or `stopped`, as the seed's status route answers. */
export async function readPowerState(
  deps: LifecycleDeps,
  vmid: number,
): Promise<'running' | 'stopped'> {
  const vm = await deps.locator.locate(vmid)
  return vm.status.status
}

/** Hard stop, like `qm stop --skiplock`. A stopped VM is refused. */
export async function stopVm(deps: LifecycleDeps, vmid: number): Promise<void> {
  await withRunningVm(deps, vmid, 'stop', (vm) => deps.cluster.stopVm(vm.node, vmid))
}

/** ACPI shutdown, waiting for the guest to power off. A stopped VM is refused. */
export async function shutdownVm(deps: LifecycleDeps, vmid: number): Promise<void> {
  await withRunningVm(deps, vmid, 'shutdown', (vm) => deps.cluster.shutdownVm(vm.node, vmid))
}

async function withRunningVm(
  deps: LifecycleDeps,
  vmid: number,
  action: string,
  work: (vm: LocatedVm) => Promise<void>,
): Promise<void> {
  const release = deps.locks.acquire(vmid, action)
  try {
    const vm = await deps.locator.locate(vmid)
    if (vm.status.status !== 'running') throw new VmStateError(`VM ${vmid} is not running`)
    await work(vm)
  } finally {
    release()
  }
}

/** Checks that the VM is stopped, then plans its start and the wait until it is ready. */
export async function planStart(deps: LifecycleDeps, vmid: number): Promise<PlannedOperation> {
  const release = deps.locks.acquire(vmid, 'start')
  try {
    const vm = await deps.locator.locate(vmid)
    if (vm.status.status === 'running') throw new VmStateError(`VM ${vmid} is already running`)
    return {
      vmid,
      abandon: release,
      async run(report, signal) {
        try {
          const step = beginStep(report, 'starting VM')
          step.processing('starting VM')
          await deps.cluster.startVm(vm.node, vmid, { signal, onLine: (line) => step.line(line) })
          step.success('VM starting')
          await waitAndFinish(deps, vm, report, signal, 'VM started successfully')
        } finally {
          release()
        }
      },
    }
  } catch (error) {
    release()
    throw error
  }
}

/** Checks that the VM runs, then plans its reboot and the wait until it is ready again. */
export async function planReboot(deps: LifecycleDeps, vmid: number): Promise<PlannedOperation> {
  const release = deps.locks.acquire(vmid, 'reboot')
  try {
    const vm = await deps.locator.locate(vmid)
    if (vm.status.status !== 'running') throw new VmStateError(`VM ${vmid} is not running`)
    return {
      vmid,
      abandon: release,
      async run(report, signal) {
        try {
          const step = beginStep(report, 'rebooting VM')
          step.processing('rebooting VM')
          await deps.cluster.rebootVm(vm.node, vmid, { signal, onLine: (line) => step.line(line) })
          step.success('VM rebooting')
          await waitAndFinish(deps, vm, report, signal, 'VM rebooted successfully')
        } finally {
          release()
        }
      },
    }
  } catch (error) {
    release()
    throw error
  }
}

async function waitAndFinish(
  deps: LifecycleDeps,
  vm: LocatedVm,
  report: Parameters<PlannedOperation['run']>[0],
  signal: AbortSignal,
  done: string,
): Promise<void> {
  const waiting = beginStep(report, 'waiting for ready')
  waiting.processing('waiting for the VM to be ready')
  await deps.waitUntilReady(vm, report, signal)
  waiting.success('VM is ready')
  beginStep(report, 'finalizing').fact(done, { vmId: vm.vmid })
}
