import { imageTransferOf } from '../image-transfer.js'
import type { Stage } from './stage.js'

/**
 * Downloads the image once (shared with concurrent installs), verified against its checksum:
 * into the service's image store, or, for an API token, by the node into its import storage.
 */
export const downloadingImage: Stage = {
  name: 'OS preparation > downloading OS image',
  async run(ctx, step) {
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
      step.success(
        result.downloaded
          ? `completed OS image download to ${result.where}, checksum verified`
          : `OS image already on ${result.where}, checksum verified`,
      )
      return
    }
    step.success(
      result.downloaded ? 'completed OS image download' : 'OS image already cached and verified',
    )
  },
}
