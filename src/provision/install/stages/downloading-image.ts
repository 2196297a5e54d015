import type { StepHandle } from '../../progress.js'
import type { TemplateRecord } from '../../templates/template-service.js'
import type { InstallContext } from '../context.js'
import { imageTransferOf } from '../image-transfer.js'
import type { Stage } from './stage.js'

/**
 * Downloads the image once (shared with concurrent installs), verified against its checksum:
 * into the service's image store, or, for an API token, by the node into its import storage.
 */
export const downloadingImage: Stage = {
  name: 'OS preparation > downloading OS image',
  async run(ctx, step) {
    const template = await templateHoldingImage(ctx)
    if (template !== undefined) {
      step.success(
        `template ${template.vmid} already holds this image (${(ctx.imageSha ?? '').slice(0, 12)}): nothing to download`,
      )
      return
    }
    step.success(await placeImage(ctx, step))
  },
}

/**
 * The ready template of the image the node would download, when the VM is to be its clone:
 * only then is the download-url task (a re-hash of the whole file on the node) left out.
 */
async function templateHoldingImage(ctx: InstallContext): Promise<TemplateRecord | undefined> {
  const { templates } = ctx.deps
  const transfer = imageTransferOf(ctx.deps)
  if (templates === undefined || ctx.clone === undefined || transfer.digest === undefined)
    return undefined
  const sha = await transfer.digest(ctx.release, ctx.signal)
  const template = await templates.find({ release: ctx.release, sha }, ctx.clone.scope)
  if (template !== undefined) ctx.imageSha = sha
  return template
}

/**
 * Downloads the image (or finds it verified in place) where the VM's node imports it from;
 * returns what happened, in words, for the step to end with.
 */
export async function placeImage(ctx: InstallContext, step: StepHandle): Promise<string> {
  step.processing('start downloading OS image')
  const transfer = imageTransferOf(ctx.deps)
  const result = await transfer.place(ctx.release, ctx.createNode, {
    signal: ctx.signal,
    onLine: (line) => step.line(line),
    onProgress: (progress) => {
      const percent = progress.percent === undefined ? '' : `${progress.percent.toFixed(0)}% `
      const mb = (progress.receivedBytes / 1024 ** 2).toFixed(1)
      const rate = (progress.bytesPerSecond / 1024 ** 2).toFixed(1)
      step.processing(`downloading ${percent}(${mb} MB, ${rate} MB/s)`, {
        bytes: progress.receivedBytes,
        ...(progress.totalBytes === undefined ? {} : { total: progress.totalBytes }),
      })
    },
  })
  ctx.imagePath = result.source
  if (result.sha !== undefined) ctx.imageSha = result.sha
  if (transfer.mode === 'download-url') {
    return result.downloaded
      ? `completed OS image download to ${result.where}, checksum verified`
      : `OS image already on ${result.where}, checksum verified`
  }
  return result.downloaded ? 'completed OS image download' : 'OS image already cached and verified'
}
