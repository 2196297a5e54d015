import { randomUUID } from 'node:crypto'
import { AppError, describeError } from '../../errors.js'
import { findRelease, versionsOf, type OsRelease } from '../../images/os-catalog.js'
import { InvalidInputError } from '../errors.js'
import { beginStep, type ReportStep } from '../progress.js'
import type { InstallContext } from './context.js'
import type { InstallDeps } from './deps.js'
import { generatePassword } from './password.js'
import {
  checkAddressLearnable,
  checkVendorSnippetStorage,
  vendorDataFor,
} from './guest-agent-before-ssh.js'
import type { VmNetwork } from '../../networks/index.js'
import { checkBridges, chooseNetwork, requestedVmid, vmidRange } from './network-choice.js'
import type { InstallRequest } from './request.js'
import { assigningIp } from './stages/assigning-ip.js'
import { checkingSshKey } from './stages/checking-ssh-key.js'
import { checkingStorage } from './stages/checking-storage.js'
import { checkingVmid } from './stages/checking-vmid.js'
import { creatingVm } from './stages/creating-vm.js'
import { downloadingImage } from './stages/downloading-image.js'
import { finalize } from './stages/finalizing.js'
import { gettingImage } from './stages/getting-image.js'
import { importingDisk } from './stages/importing-disk.js'
import { initializingConfig } from './stages/initializing-config.js'
import { migratingVm } from './stages/migrating-vm.js'
import { rebootingVm } from './stages/rebooting-vm.js'
import { settingDefaults } from './stages/setting-defaults.js'
import { sshInitialization } from './stages/ssh-initialization.js'
import type { Stage } from './stages/stage.js'
import { validatingCpuRam } from './stages/validating-cpu-ram.js'
import { validatingDisk } from './stages/validating-disk.js'
import { validatingImageUrl } from './stages/validating-image-url.js'
import { waitingForReady } from './stages/waiting-for-ready.js'

/** The seed's Install Pipeline Stages, in the seed's order. */
export const installStages: readonly Stage[] = [
  checkingVmid,
  assigningIp,
  validatingCpuRam,
  validatingDisk,
  settingDefaults,
  checkingStorage,
  gettingImage,
  validatingImageUrl,
  downloadingImage,
  checkingSshKey,
  creatingVm,
  importingDisk,
  initializingConfig,
  migratingVm,
  waitingForReady,
  sshInitialization,
  rebootingVm,
]

export const finalizingStep = 'VM initialization > finalizing'

export interface PlannedInstall {
  release: OsRelease
  /** `jobId` names the install in the VM's ownership stamp (default: a fresh id) */
  run(report: ReportStep, signal: AbortSignal, options?: { jobId?: string }): Promise<void>
}

/**
 * Checks what can be checked before any work (OS and version known, node in the cluster, id in
 * range and free): failures are 400s naming the field. Then plans the pipeline.
 */
export async function planInstall(
  deps: InstallDeps,
  request: InstallRequest,
): Promise<PlannedInstall> {
  const release = findRelease(request.os, request.version)
  if (release === undefined) {
    const known = versionsOf(request.os)
    if (known.length === 0)
      throw new InvalidInputError('os', `"${request.os}" is not one of debian, ubuntu, rockylinux`)
    throw new InvalidInputError(
      'version',
      `${request.os} ${request.version} is not supported; use one of ${known.join(', ')}`,
    )
  }
  const network = chooseNetwork(deps, request)
  const vmid = requestedVmid(network, request)
  const vendorData = vendorDataFor(deps, network, release)
  checkAddressLearnable(network, release, vendorData)
  // the storage check reads the main node's storages: asked now, beside the resource list, its
  // answer is there when the stage comes (shared reads keep it), one command start-up sooner
  void deps.cluster.nodeStorages(deps.mainNode).catch(() => undefined)
  const { vms, nodes } = await deps.cluster.resources()
  const targetNode = request.node ?? deps.mainNode
  const node = nodes.find((entry) => entry.node === targetNode)
  if (node === undefined)
    throw new InvalidInputError('node', `no cluster node named "${targetNode}"`)
  if (node.status !== 'online')
    throw new InvalidInputError('node', `node ${targetNode} is not online`)
  if (vmid !== undefined) {
    const field = request.id === undefined ? 'ip' : 'id'
    const range = vmidRange(deps, network)
    if (vmid < range.start || vmid > range.end) {
      throw new InvalidInputError(
        field,
        `must be from ${range.start} to ${range.end} (${range.names})`,
      )
    }
    if (vms.some((vm) => vm.vmid === vmid))
      throw new InvalidInputError(field, `VM ${vmid} already exists`)
  }
  // the VM is made on the main node (or the target, for a clone) and ends on the target
  await checkBridges(deps, network, [deps.mainNode, targetNode])
  // the VM's first start is on the target node (after the move, or where a clone is made)
  if (vendorData !== undefined)
    await checkVendorSnippetStorage(deps, network, vendorData, targetNode)
  const chosen = { release, network, vmid, targetNode }
  return {
    release,
    run: (report, signal, options) =>
      runInstall(deps, request, chosen, report, signal, options?.jobId),
  }
}

async function runInstall(
  deps: InstallDeps,
  request: InstallRequest,
  chosen: { release: OsRelease; network: VmNetwork; vmid: number | undefined; targetNode: string },
  report: ReportStep,
  signal: AbortSignal,
  jobId: string = randomUUID(),
): Promise<void> {
  const { release, targetNode } = chosen
  const startedAt = Date.now()
  const generate = request.passwd === undefined && request.pubkey === undefined
  const ctx: InstallContext = {
    deps,
    request,
    release,
    jobId,
    report,
    signal,
    vmid: 0,
    network: chosen.network,
    requestedVmid: chosen.vmid,
    ip: '',
    ip6: undefined,
    held: undefined,
    createNode: deps.mainNode,
    targetNode,
    cpu: 0,
    ramMb: 0,
    diskGb: 0,
    storage: deps.storage,
    cpuType: '',
    imagePath: '',
    user: request.user ?? release.defaultUser,
    password: generate ? generatePassword() : request.passwd,
    passwordGenerated: generate,
    sshKeys: [],
    vmNode: undefined,
    undo: [],
  }
  let current = installStages[0]?.name ?? finalizingStep
  try {
    for (const stage of installStages) {
      signal.throwIfAborted()
      current = stage.name
      await stage.run(ctx, beginStep(report, stage.name))
    }
    current = finalizingStep
    // the addresses are the VM's now: kept until it is destroyed
    deps.addresses.assign(jobId, ctx.vmid)
    finalize(ctx, beginStep(report, finalizingStep), (Date.now() - startedAt) / 1000)
    ctx.password = undefined
    ctx.initScript = undefined
  } catch (error) {
    ctx.password = undefined
    ctx.initScript = undefined
    const cleanup = await rollBack(ctx)
    const what = signal.aborted ? 'install cancelled' : `${current} failed: ${describeError(error)}`
    throw new InstallFailedError(current, `${what}; ${cleanup}`, { cause: error })
  } finally {
    // the SSH connection kept since the VM answered
    ctx.guest?.close()
  }
}

/** Reverses what the stages did, newest first; says what it cleaned and what it could not. */
async function rollBack(ctx: InstallContext): Promise<string> {
  const problems: string[] = []
  for (const undo of ctx.undo.reverse()) {
    try {
      await undo()
    } catch (error) {
      problems.push(describeError(error))
    }
  }
  ctx.undo = []
  const created = ctx.vmNode !== undefined
  if (problems.length > 0) return `cleanup incomplete: ${problems.join('; ')}`
  if (created) return `cleaned up: VM ${ctx.vmid} and its disks removed, reservation released`
  return ctx.vmid > 0
    ? `nothing was created; reservation of ${ctx.vmid} released`
    : 'nothing was created'
}

export class InstallFailedError extends AppError {
  override readonly name = 'InstallFailedError'
  /** the stage that failed: the job's error event is reported under it */
  readonly step: string
  constructor(step: string, message: string, options?: ErrorOptions) {
    super('INSTALL_FAILED', message, options)
    this.step = step
  }
}
