import type { OsRelease } from '../../../images/os-catalog.js'
import type { PlannedOperation } from '../../../pve/planned-operation.js'
import { templateConfig } from '../../templates/build-template.js'
import type { TemplateRecord, TemplateScope } from '../../templates/template-service.js'
import type { InstallContext } from '../context.js'
import { cpuModelFor, describeLevel } from '../cpu-level.js'
import type { InstallDeps } from '../deps.js'
import { importFileName } from '../image-transfer-download-url.js'
import { imageTransferOf } from '../image-transfer.js'
import { ipForVmid } from '../ip-address.js'
import { finalizingStep, installStages, planInstall } from '../pipeline.js'
import type { InstallRequest } from '../request.js'
import { vmConfig } from '../stages/creating-vm.js'
import { vendorDataFor } from '../guest-agent-before-ssh.js'
import { isOwnKey } from '../stages/cloning-from-template.js'
import { chooseNetwork, net0Of, requestedVmid, vmidRange } from '../network-choice.js'
import type { VmNetwork } from '../../../networks/index.js'
import { isIPv4 } from 'node:net'
import { planSizes } from './plan-sizes.js'
import { estimateStage, stageVariant, type StageTimes } from './stage-history.js'

/** What a dry-run reads besides the cluster; wired in the composition root. */
export interface DryRunSupport {
  /** Is a verified copy of the image cached? Its digest (from the fresh checksum file), size. */
  inspectImage(
    release: OsRelease,
    signal: AbortSignal,
  ): Promise<{ cached: boolean; sha: string | undefined; bytes: number | undefined; path: string }>
  /** stage times of earlier successful installs (the store's job events) */
  stageTimes(): StageTimes
  /** how the driver would spell the operations (the cli driver: qm lines); absent otherwise */
  commandLines?: (operations: readonly PlannedOperation[]) => string[]
}

/** The answer of `POST /api/vm/install` with `"dry_run": true` (snake_case on the wire). */
export interface InstallPlan {
  vm_id: number
  /**
   * the IPv4 address: the seed's, the one asked for, or the pool's lowest free one now ('' for
   * DHCP, or before the address book first read the cluster)
   */
  ip: string
  /** the network the VM joins */
  network: string
  /** how the VM gets its addresses, in words (`10.20.0.7/22 from pool …`, `DHCP at boot`) */
  addressing: string
  node: string
  storage: string
  cpu_type: string
  cpu: number
  ram_mb: number
  disk_gb: number
  image: { url: string; cached: boolean; size_bytes: number | null; checksum: string | null }
  template: { action: 'clone' | 'build' | 'none'; vmid: number | null; note: string }
  reboot: 'if the guest needs it' | 'always' | 'never'
  stages: { step: string; estimate_seconds: number | null }[]
  commands?: string[]
  estimate: { seconds: number; from_installs: number; stages_without_history: string[] }
  problems: string[]
}

/**
 * Works out what an install would do, reading the cluster, the image cache and earlier stage
 * times, and reserving or changing nothing: asked twice with nothing changed in between, it
 * answers the same plan. Request errors are the install's own 400s.
 */
export async function planDryRun(
  deps: InstallDeps,
  request: InstallRequest,
  signal: AbortSignal,
): Promise<InstallPlan> {
  const { release } = await planInstall(deps, request)
  const network = chooseNetwork(deps, request)
  const problems: string[] = []
  const { vms } = await deps.cluster.resources({ signal })
  const vmid =
    requestedVmid(network, request) ??
    (await firstFreeVmid(deps, network, new Set(vms.map((vm) => vm.vmid)), signal))
  const targetNode = request.node ?? deps.mainNode
  const sizes = planSizes(deps, request)
  const level = await deps.clusterCpuLevel()
  if (level.level < release.minCpuLevel)
    problems.push(
      `${release.os} ${release.version} needs x86-64-v${release.minCpuLevel}, but the cluster's common CPU level is ${describeLevel(level)}`,
    )
  const storages = await deps.cluster.nodeStorages(deps.mainNode, { signal })
  const storage = storages.find((entry) => entry.storage === deps.storage)
  if (storage === undefined)
    problems.push(`storage ${deps.storage} does not exist on ${deps.mainNode}`)
  else if (storage.avail < sizes.diskGb * 1024 ** 3)
    problems.push(`storage ${deps.storage} has too little room for ${sizes.diskGb}G`)
  const scope =
    storage === undefined ? undefined : deps.templates?.scopeFor(targetNode, deps.mainNode, storage)
  const image = await inspect(deps, release, signal)
  const template = await templateChoice(deps, scope, release, image.sha)
  const createNode = scope !== undefined && !scope.shared ? targetNode : deps.mainNode
  const ctx = planContext(deps, request, release, {
    network,
    vmid,
    targetNode,
    createNode,
    sizes,
    cpuType: cpuModelFor(level),
  })
  ctx.sshKeys = await planKeys(deps, request)
  const operations = planOperations(ctx, scope, template, image)
  const reboot = deps.reboot ?? 'auto'
  const stages = plannedStages(
    ctx,
    scope,
    template,
    image.cached,
    reboot,
    deps.dryRun?.stageTimes(),
  )
  const missing = stages.filter((stage) => stage.estimate_seconds === null).map((s) => s.step)
  const commandLines = deps.dryRun?.commandLines
  return {
    vm_id: vmid,
    ip: ctx.ip,
    network: network.name,
    addressing: describeAddressing(network, ctx),
    node: targetNode,
    storage: deps.storage,
    cpu_type: cpuModelFor(level),
    cpu: sizes.cpu,
    ram_mb: sizes.ramMb,
    disk_gb: sizes.diskGb,
    image: {
      url: deps.images.imageUrl(release),
      cached: image.cached,
      size_bytes: image.bytes ?? null,
      checksum: image.sha ?? null,
    },
    template: template.summary,
    reboot: reboot === 'auto' ? 'if the guest needs it' : reboot,
    stages,
    ...(commandLines === undefined
      ? {}
      : { commands: withRebootNote(commandLines(operations), reboot) }),
    estimate: {
      seconds:
        Math.round(stages.reduce((sum, s) => sum + (s.estimate_seconds ?? 0), 0) * 100) / 100,
      from_installs: deps.dryRun?.stageTimes().installs ?? 0,
      stages_without_history: missing,
    },
    problems,
  }
}

async function firstFreeVmid(
  deps: InstallDeps,
  network: VmNetwork,
  taken: ReadonlySet<number>,
  signal: AbortSignal,
): Promise<number> {
  const range = vmidRange(deps, network)
  const v4 = network.ipv4
  const held = deps.reservations.reserved()
  for (let vmid = range.start; vmid <= range.end; vmid += 1) {
    if (taken.has(vmid) || held.has(vmid)) continue
    if (v4.mode === 'seed' && (await deps.guest.isAnswering(ipForVmid(v4.gateway, vmid), signal)))
      continue
    return vmid
  }
  return 0
}

/**
 * The addresses the plan can tell without holding one: the seed's (it follows the VMID), the
 * one asked for, or the pool's lowest free address now (the install holds and probes it when it
 * runs, so a host that answers ping then, or an install started first, can still move it on).
 */
function plannedAddresses(
  deps: InstallDeps,
  network: VmNetwork,
  request: InstallRequest,
  vmid: number,
): { ipv4: string; ipv6: string | undefined } {
  const v4 = network.ipv4
  const asked = request.ip
  const askedV4 = asked !== undefined && isIPv4(asked) ? asked : undefined
  const askedV6 = asked !== undefined && !isIPv4(asked) ? asked : undefined
  const next = asked === undefined ? deps.addresses.nextFree(network) : {}
  const ipv4 = v4.mode === 'seed' ? ipForVmid(v4.gateway, vmid) : (askedV4 ?? next.ipv4 ?? '')
  return { ipv4, ipv6: askedV6 ?? next.ipv6 }
}

/** `10.20.0.0/22: the pool's next free address; IPv6 …` in words, for the plan. */
function describeAddressing(network: VmNetwork, ctx: InstallContext): string {
  const v4 = network.ipv4
  const parts: string[] = []
  if (v4.mode === 'seed') parts.push(`${ctx.ip}/24 (the VMID's address), gateway ${v4.gateway}`)
  else if (v4.mode === 'dhcp') {
    const vendorData = vendorDataFor(ctx.deps, network, ctx.release)
    parts.push(
      vendorData === undefined
        ? 'IPv4 from DHCP at boot, learnt from the guest agent'
        : `IPv4 from DHCP at boot, learnt from the guest agent, which cloud-init installs at first boot from the vendor snippet ${vendorData} (cicustom)`,
    )
  } else
    parts.push(
      ctx.ip === ''
        ? `the next free address of ${v4.cidr}, held when the install runs, gateway ${v4.gateway}`
        : ctx.request.ip === undefined
          ? `${ctx.ip}/${v4.prefixLength}, the next free address of ${v4.cidr} now (held and probed when the install runs), gateway ${v4.gateway}`
          : `${ctx.ip}/${v4.prefixLength} (asked for; must still be free), gateway ${v4.gateway}`,
    )
  const v6 = network.ipv6
  if (v6?.mode === 'static')
    parts.push(
      ctx.ip6 === undefined
        ? `IPv6: the next free address of ${v6.prefix}/${v6.prefixLength}`
        : `IPv6: ${ctx.ip6}/${v6.prefixLength}${ctx.request.ip === undefined ? ' (the next free address now)' : ''}`,
    )
  else if (v6 !== undefined) parts.push(`IPv6 by ${v6.mode === 'slaac' ? 'SLAAC' : 'DHCPv6'}`)
  const nic = net0Of(network)
  return `${parts.join('; ')} on ${nic.replace('virtio,', '')}`
}

async function inspect(
  deps: InstallDeps,
  release: OsRelease,
  signal: AbortSignal,
): Promise<{ cached: boolean; sha: string | undefined; bytes: number | undefined; path: string }> {
  const transfer = imageTransferOf(deps)
  const found = await deps.dryRun?.inspectImage(release, signal)
  if (transfer.mode === 'download-url') {
    // the node downloads it; the service only knows the digest it will verify against
    return {
      cached: false,
      sha: found?.sha,
      bytes: found?.bytes,
      path: `<import storage>:import/${importFileName(release)}`,
    }
  }
  return found ?? { cached: false, sha: undefined, bytes: undefined, path: '<image store>' }
}

interface TemplateChoice {
  summary: InstallPlan['template']
  ready?: TemplateRecord
  buildVmid?: number
}

async function templateChoice(
  deps: InstallDeps,
  scope: TemplateScope | undefined,
  release: OsRelease,
  sha: string | undefined,
): Promise<TemplateChoice> {
  const templates = deps.templates
  if (templates === undefined)
    return { summary: { action: 'none', vmid: null, note: 'TEMPLATES=off: the image is imported' } }
  if (scope === undefined)
    return {
      summary: {
        action: 'none',
        vmid: null,
        note: `${deps.storage} cannot hold linked clones: the image is imported`,
      },
    }
  const where = scope.shared ? scope.storage : `${scope.node}/${scope.storage}`
  const ready = sha === undefined ? undefined : await templates.find({ release, sha }, scope)
  if (ready !== undefined)
    return {
      summary: {
        action: 'clone',
        vmid: ready.vmid,
        note: `linked clone of template ${ready.vmid} on ${where}`,
      },
      ready,
    }
  const buildVmid = await templates.nextVmid()
  return {
    summary: {
      action: 'build',
      vmid: buildVmid,
      note: `a template of this image is built on ${where} (VMID ${buildVmid} if still free), then cloned`,
    },
    buildVmid,
  }
}

function planContext(
  deps: InstallDeps,
  request: InstallRequest,
  release: OsRelease,
  facts: {
    network: VmNetwork
    vmid: number
    targetNode: string
    createNode: string
    sizes: ReturnType<typeof planSizes>
    cpuType: string
  },
): InstallContext {
  return {
    deps,
    request,
    release,
    jobId: 'dry-run',
    report: () => undefined,
    signal: new AbortController().signal,
    vmid: facts.vmid,
    network: facts.network,
    requestedVmid: undefined,
    ...addressFacts(deps, facts.network, request, facts.vmid),
    held: undefined,
    createNode: facts.createNode,
    targetNode: facts.targetNode,
    cpu: facts.sizes.cpu,
    ramMb: facts.sizes.ramMb,
    diskGb: facts.sizes.diskGb,
    storage: deps.storage,
    cpuType: facts.cpuType,
    imagePath: '',
    user: request.user ?? release.defaultUser,
    // a stand-in: the plan shows `--cipassword <redacted>` wherever the install sends a hash
    password: request.passwd === undefined && request.pubkey !== undefined ? undefined : 'redacted',
    passwordGenerated: false,
    sshKeys: [],
    vmNode: undefined,
    undo: [],
  }
}

function addressFacts(
  deps: InstallDeps,
  network: VmNetwork,
  request: InstallRequest,
  vmid: number,
): { ip: string; ip6: string | undefined } {
  const planned = plannedAddresses(deps, network, request, vmid)
  return { ip: planned.ipv4, ip6: planned.ipv6 }
}

async function planKeys(deps: InstallDeps, request: InstallRequest): Promise<string[]> {
  const keys = [await deps.guest.servicePublicKey(), ...deps.adminKeys]
  if (request.pubkey !== undefined) keys.push(request.pubkey.trim())
  return [...new Set(keys)]
}

function planOperations(
  ctx: InstallContext,
  scope: TemplateScope | undefined,
  template: TemplateChoice,
  image: { path: string; sha: string | undefined },
): PlannedOperation[] {
  const imagePath = image.path
  const ops: PlannedOperation[] = []
  const { vmid, createNode, targetNode } = ctx
  const config = vmConfig(ctx)
  const tail = (node: string): PlannedOperation[] => [
    { op: 'resize', node, vmid, disk: 'scsi0', size: `${ctx.diskGb}G` },
    { op: 'start', node, vmid },
    ...(ctx.deps.reboot === 'never' ? [] : [{ op: 'reboot' as const, node, vmid }]),
  ]
  if (scope !== undefined && template.summary.action !== 'none') {
    let tplNode = scope.node
    const tplVmid = template.ready?.vmid ?? template.buildVmid ?? 0
    if (template.ready === undefined) {
      const imageNode =
        imageTransferOf(ctx.deps).mode === 'download-url' ? createNode : ctx.deps.mainNode
      const tplConfig = templateConfig({
        release: ctx.release,
        sha: image.sha ?? '',
        scope,
        imageSource: imagePath,
        imageNode,
      })
      ops.push({ op: 'create', node: imageNode, vmid: tplVmid, config: tplConfig })
      if (imageNode !== scope.node)
        ops.push({ op: 'migrate', node: imageNode, vmid: tplVmid, target: scope.node })
      ops.push({ op: 'template', node: scope.node, vmid: tplVmid })
    } else {
      tplNode = template.ready.node
    }
    const name = typeof config.name === 'string' ? config.name : undefined
    // a shared storage's template clones straight to the target node (cloneFromTemplateStep)
    const cloneNode = scope.shared ? targetNode : createNode
    ops.push({
      op: 'clone',
      node: tplNode,
      vmid: tplVmid,
      newid: vmid,
      full: false,
      ...(name === undefined ? {} : { name }),
      ...(cloneNode === tplNode ? {} : { target: cloneNode }),
    })
    const own = Object.fromEntries(
      Object.entries(config).filter(([key, value]) => isOwnKey(key, value)),
    )
    ops.push({ op: 'update', node: cloneNode, vmid, changes: own })
    return [...ops, ...tail(cloneNode)]
  }
  ops.push({ op: 'create', node: createNode, vmid, config })
  ops.push({
    op: 'update',
    node: createNode,
    vmid,
    changes: { scsi0: `${ctx.storage}:0,import-from=${imagePath},discard=on,ssd=1` },
  })
  ops.push({ op: 'update', node: createNode, vmid, changes: { boot: 'order=scsi0' } })
  ops.push({ op: 'resize', node: createNode, vmid, disk: 'scsi0', size: `${ctx.diskGb}G` })
  if (targetNode !== createNode)
    ops.push({ op: 'migrate', node: createNode, vmid, target: targetNode })
  return [...ops, ...tail(targetNode).slice(1)]
}

function plannedStages(
  ctx: InstallContext,
  scope: TemplateScope | undefined,
  template: TemplateChoice,
  cached: boolean,
  reboot: 'auto' | 'always' | 'never',
  times: StageTimes | undefined,
): InstallPlan['stages'] {
  const clone = scope !== undefined && template.summary.action !== 'none'
  const migrates = !clone && ctx.targetNode !== ctx.createNode
  const variant = (step: string): string => {
    if (step === 'VM creation > creating VM')
      return clone ? (template.ready === undefined ? 'template-built' : 'template-ready') : 'create'
    if (step === 'VM creation > importing disk image') return clone ? 'clone' : 'import'
    if (step === 'VM initialization > rebooting VM')
      return reboot === 'always' ? 'rebooted' : 'no-reboot'
    if (step === 'OS preparation > downloading OS image') return cached ? 'cached' : 'downloaded'
    return stageVariant(step, '')
  }
  return [...installStages.map((stage) => stage.name), finalizingStep]
    .filter((step) => migrates || step !== 'VM initialization > migrating VM')
    .map((step) => {
      // the closing facts take no time of their own
      if (step === finalizingStep) return { step, estimate_seconds: 0 }
      const seconds = times === undefined ? undefined : estimateStage(times, step, variant(step))
      return { step, estimate_seconds: seconds ?? null }
    })
}

/** With INSTALL_REBOOT=auto the closing `qm reboot` runs only when the guest asks for it. */
function withRebootNote(lines: string[], reboot: 'auto' | 'always' | 'never'): string[] {
  if (reboot !== 'auto') return lines
  return lines.map((line) =>
    / qm reboot \d+$/.test(line) ? `${line}   # only if the guest says it needs a reboot` : line,
  )
}
