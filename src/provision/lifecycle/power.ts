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
export function planStart(deps: LifecycleDeps, vmid: number): Promise<PlannedOperation> {
  return planPowerJob(deps, vmid, {
    action: 'start',
    mustRun: false,
    refusal: `VM ${vmid} is already running`,
    step: 'starting VM',
    call: (vm, options) => deps.cluster.startVm(vm.node, vmid, options),
    words: ['starting VM', 'VM starting', 'VM started successfully'],
  })
}

/** Checks that the VM runs, then plans its reboot and the wait until it is ready again. */
export function planReboot(deps: LifecycleDeps, vmid: number): Promise<PlannedOperation> {
  return planPowerJob(deps, vmid, {
    action: 'reboot',
    mustRun: true,
    refusal: `VM ${vmid} is not running`,
    step: 'rebooting VM',
    call: (vm, options) => deps.cluster.rebootVm(vm.node, vmid, options),
    words: ['rebooting VM', 'VM rebooting', 'VM rebooted successfully'],
  })
}

interface PowerJob {
  /** what holds the VM's lock meanwhile */
  action: string
  /** the state the VM must be in: running (true) or stopped (false) */
  mustRun: boolean
  refusal: string
  step: string
  call: (
    vm: LocatedVm,
    options: { signal: AbortSignal; onLine: (line: string) => void },
  ) => Promise<void>
  /** the started, issued and finished messages */
  words: [string, string, string]
}

/** Takes the VM, checks its state, and plans the power call plus the wait until it is ready. */
async function planPowerJob(
  deps: LifecycleDeps,
  vmid: number,
  job: PowerJob,
): Promise<PlannedOperation> {
  const release = deps.locks.acquire(vmid, job.action)
  try {
    const vm = await deps.locator.locate(vmid)
    if ((vm.status.status === 'running') !== job.mustRun) throw new VmStateError(job.refusal)
    const [started, issued, finished] = job.words
    return {
      vmid,
      abandon: release,
      async run(report, signal) {
        try {
          const step = beginStep(report, job.step)
          step.processing(started)
          await job.call(vm, { signal, onLine: (line) => step.line(line) })
          // a start or `qm reboot` is a cold start: whatever was pending now applies
          deps.pending.forget(vmid)
          step.success(issued)
          await waitAndFinish(deps, vm, report, signal, finished)
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
