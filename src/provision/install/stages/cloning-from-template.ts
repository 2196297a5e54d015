import type { NodeStorage, VmConfigChanges } from '../../../pve/cluster.js'
import { PveError } from '../../../pve/errors.js'
import type { StepHandle } from '../../progress.js'
import { cloneTag } from '../../templates/template-identity.js'
import type { InstallContext } from '../context.js'
import { imageTransferOf } from '../image-transfer.js'
import { placeImage } from './downloading-image.js'
import { retryOnLockTimeout } from '../retry.js'
import { makeUnderFreeVmid } from '../claim-vmid.js'
import { vmConfig } from './creating-vm.js'
import { growDisk } from './initializing-config.js'

/** What the template already holds: the clone keeps it and sets only its own values. */
const templateKeys = new Set(['ostype', 'scsihw', 'net0', 'serial0', 'vga', 'agent', 'scsi1'])

/** The template's NIC (build-template.ts): a clone on another network sets its own. */
export const templateNet0 = 'virtio,bridge=vmbr0'

/** Whether the clone sets `key` itself: what the template lacks, and a NIC other than its own. */
export function isOwnKey(key: string, value: string | null | undefined): boolean {
  return !templateKeys.has(key) || (key === 'net0' && value !== templateNet0)
}

/**
 * `checking storage pool`'s part: with templates on and a storage that can link-clone, the VM
 * will be a linked clone. On local storage a linked clone cannot migrate (pve.md §10.9), so it
 * is made on the target node itself (whose storage is checked too); shared storage keeps one
 * template on the main node and clones straight to the target.
 */
export async function decideClonePath(
  ctx: InstallContext,
  storage: NodeStorage,
): Promise<string | undefined> {
  const templates = ctx.deps.templates
  if (templates === undefined) return undefined
  const scope = templates.scopeFor(ctx.targetNode, ctx.deps.mainNode, storage)
  if (scope === undefined) return `${storage.type} storage cannot hold linked clones: importing`
  if (!scope.shared && ctx.targetNode !== ctx.createNode) {
    const there = await ctx.deps.cluster.nodeStorages(ctx.targetNode, { signal: ctx.signal })
    const usable = there.find((entry) => entry.storage === storage.storage)
    const needed = ctx.diskGb * 1024 ** 3
    if (usable?.active !== true || !usable.enabled || usable.avail < needed)
      return `${storage.storage} on ${ctx.targetNode} cannot take the disk: importing on ${ctx.createNode}`
    ctx.createNode = ctx.targetNode
  }
  ctx.clone = { scope }
  return `the VM will be a linked clone of a ${ctx.release.os} ${ctx.release.version} template on ${scope.shared ? storage.storage : `${scope.node}/${storage.storage}`}`
}

/** `creating VM`'s part on the clone path: the template, found or built once for everyone. */
export async function ensureTemplateStep(ctx: InstallContext, step: StepHandle): Promise<void> {
  const templates = ctx.deps.templates
  const clone = ctx.clone
  if (templates === undefined || clone === undefined) return
  const sha = ctx.imageSha ?? ''
  // the download was left out for a template that has gone since: the build needs the image
  if (
    ctx.imagePath === '' &&
    (await templates.find({ release: ctx.release, sha }, clone.scope)) === undefined
  )
    step.processing(await placeImage(ctx, step))
  const transfer = imageTransferOf(ctx.deps)
  const { template, built } = await templates.ensure(
    {
      release: ctx.release,
      sha,
      scope: clone.scope,
      imageSource: ctx.imagePath,
      imageNode: transfer.mode === 'download-url' ? ctx.createNode : ctx.deps.mainNode,
    },
    { signal: ctx.signal, onLine: (line) => step.line(line) },
  )
  clone.template = template
  clone.built = built
  const removed = await templates.sweep()
  if (removed.length > 0)
    step.processing(`removed superseded templates no clone uses: ${removed.join(', ')}`)
  const image = `image ${sha.slice(0, 12)}`
  step.success(
    built
      ? `template ${template.vmid} built (${ctx.release.os} ${ctx.release.version}, ${image}); the VM will be its linked clone`
      : `template ${template.vmid} ready (${ctx.release.os} ${ctx.release.version}, ${image}); the VM will be its linked clone`,
  )
}

/**
 * `importing disk image`'s part on the clone path: `qm clone --full 0` of the template (clones
 * of one template run at once, as Proxmox allows; they queue per storage with the other disk
 * operations there, and a lock timeout is retried with backoff), then the VM's own name, size,
 * user, keys and address. A storage that cannot link after all gets a full clone.
 */
export async function cloneFromTemplateStep(ctx: InstallContext, step: StepHandle): Promise<void> {
  const template = ctx.clone?.template
  if (template === undefined) return
  const { cluster, templates } = ctx.deps
  if (templates === undefined) return
  // the one template of a shared storage clones straight to the install's node (`qm clone
  // --target`, which needs every disk on shared storage, pve.md §2.9): the clone's config lands
  // there, its disk stays on the shared storage, and nothing migrates afterwards
  if (template.shared) ctx.createNode = ctx.targetNode
  const target = ctx.createNode === template.node ? {} : { target: ctx.createNode }
  const clone = async (full: boolean): Promise<void> => {
    // the name and the seed's address follow the VMID, which may have moved on
    const config = vmConfig(ctx)
    const name = config.name ?? undefined
    await templates.cloneTurn(
      template,
      ctx.vmid,
      {
        signal: ctx.signal,
        onQueued: (position) =>
          step.processing(
            `waiting for storage ${template.storage} to clone template ${template.vmid}: position ${position} in the queue`,
          ),
      },
      () =>
        retryOnLockTimeout(
          () =>
            cluster.cloneVm(template.node, template.vmid, ctx.vmid, {
              full,
              ...(name === undefined ? {} : { name }),
              ...(typeof config.description === 'string'
                ? { description: config.description }
                : {}),
              ...target,
              signal: ctx.signal,
              onLine: (line) => step.line(line),
            }),
          {
            ...ctx.deps.lockRetry,
            signal: ctx.signal,
            onRetry: (attempt, delayMs, error) =>
              step.processing(
                `${error.message}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s`,
              ),
          },
        ),
    )
  }
  let how = 'linked clone'
  // a storage that cannot link after all gets a full clone, and every later try too
  const cloneLinkedOrFull = async (): Promise<void> => {
    try {
      await clone(how === 'full clone')
    } catch (error) {
      if (!(
        error instanceof PveError && error.message.includes('Linked clone feature is not supported')
      ))
        throw error
      step.processing(`${error.message}: making a full clone instead`)
      how = 'full clone'
      await clone(true)
    }
  }
  // the clone is stamped (its description): undone only if ours, moved on if the id is taken
  await makeUnderFreeVmid(ctx, step, cloneLinkedOrFull)
  const config = vmConfig(ctx)
  ctx.vmNode = ctx.createNode
  ctx.deps.locator.remember([{ vmid: ctx.vmid, node: ctx.createNode }])
  // its own settings and the disk's size at once: Proxmox takes the VM's config lock for each in
  // turn (10 s wait), and the second command's start-up overlaps the first's work
  const outcomes = await Promise.allSettled([
    cluster.updateVm(ctx.createNode, ctx.vmid, ownConfig(config, template.vmid, how), {
      signal: ctx.signal,
      onLine: (line) => step.line(line),
    }),
    growDisk(ctx, ctx.createNode, step),
  ])
  // both ended before anything is rolled back: a failure is reported once the other is done
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason
  if (ctx.clone !== undefined) ctx.clone.resized = true
  step.success(`VM ${ctx.vmid} is a ${how} of template ${template.vmid}: no disk import needed`)
}

/** The install's config without what the template holds, tagged with the template it uses. */
function ownConfig(config: VmConfigChanges, templateVmid: number, how: string): VmConfigChanges {
  const own: VmConfigChanges = {}
  for (const [key, value] of Object.entries(config)) {
    if (isOwnKey(key, value)) own[key] = value
  }
  // a full clone does not use the template's base: only linked clones carry the mark
  if (how === 'linked clone') {
    const tags = typeof own.tags === 'string' && own.tags !== '' ? `${own.tags};` : ''
    own.tags = `${tags}${cloneTag(templateVmid)}`
  }
  return own
}
